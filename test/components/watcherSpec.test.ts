import { execFileSync } from "node:child_process";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT } from "../../components/appSpec";
import { type ControlPlaneConfig, parseConfig } from "../../components/config";
import {
  HEARTBEAT_FILE,
  heartbeatMaxAgeSeconds,
  heartbeatProbeCommand,
  watcherDeploymentSpec,
  watcherServiceAccountAnnotations,
} from "../../components/watcherSpec";
import { withPatch } from "./helpers/environmentFixture";
import type { Json } from "./mockRuntime";

const plane: ControlPlaneConfig = parseConfig(
  withPatch((c) => {
    c.stateStore = { kind: "s3", bucket: "team-state" };
    c.controlPlane = { watchers: ["us-east-1", "us-west-2"], image: "ghcr.io/acme/regionctl:1.4.0" };
  }),
).controlPlane;

// Specs are Pulumi input types (Input<T> at every level); tests read them as the plain data they are.
const spec = (overrides: Partial<ControlPlaneConfig> = {}): Json =>
  watcherDeploymentSpec({
    region: "us-west-2",
    stack: "prod",
    controlPlane: { ...plane, ...overrides },
    intervalSeconds: 10,
  });

describe("a watcher replica's Deployment", () => {
  it("runs one pod of `regionctl watch` for the stack, replaced by stopping the old one first", () => {
    const s = spec();
    expect(s.replicas).toBe(1);
    expect(s.strategy).toEqual({ type: "Recreate" });
    const [c] = s.template.spec.containers;
    expect(c.image).toBe("ghcr.io/acme/regionctl:1.4.0");
    expect(c.args).toEqual([
      "watch",
      "--stack",
      "prod",
      "--keep-going",
      "--json",
      "--heartbeat-file",
      HEARTBEAT_FILE,
    ]);
  });

  it("tells the replica its own region, and names it by region and pod in the lease", () => {
    const env = spec().template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "AWS_REGION", value: "us-west-2" });
    expect(env).toContainEqual({ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
    // Kubernetes expands $(POD_NAME) because it is defined earlier in the list.
    const names = env.map((e: { name: string }) => e.name);
    expect(names.indexOf("POD_NAME")).toBeLessThan(names.indexOf("REGIONCTL_HOLDER"));
    expect(env).toContainEqual({ name: "REGIONCTL_HOLDER", value: "watch@us-west-2/$(POD_NAME)" });
  });

  it("runs restricted, writing only under /tmp, with limits from the config", () => {
    const s = spec({ cpuLimit: "2", memoryLimit: "3Gi" });
    expect(s.template.spec.securityContext).toEqual(RESTRICTED_POD_CONTEXT);
    const [c] = s.template.spec.containers;
    expect(c.securityContext).toEqual(RESTRICTED_CONTAINER_CONTEXT);
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(c.resources).toEqual({
      requests: { cpu: "100m", memory: "512Mi" },
      limits: { cpu: "2", memory: "3Gi" },
    });
  });

  it("takes the backend's credentials from the named Secret only when there is one", () => {
    expect(spec().template.spec.containers[0].envFrom).toBeUndefined();
    expect(spec({ envSecretName: "pulumi-backend" }).template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: "pulumi-backend" } },
    ]);
  });

  it("probes the heartbeat, allowing several missed observations and at least a minute", () => {
    expect(heartbeatMaxAgeSeconds(10)).toBe(60);
    expect(heartbeatMaxAgeSeconds(30)).toBe(180);
    const [c] = spec().template.spec.containers;
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(probe.exec.command).toEqual(heartbeatProbeCommand(60));
    }
  });

  it("refuses to render without an image", () => {
    expect(() => spec({ image: undefined })).toThrow(/controlPlane.image/);
  });

  it("binds a role of the user's own through IRSA, else leaves the service account plain", () => {
    expect(watcherServiceAccountAnnotations(plane)).toEqual({});
    const arn = "arn:aws:iam::123456789012:role/regionctl-watch";
    expect(watcherServiceAccountAnnotations({ ...plane, serviceAccountRoleArn: arn })).toEqual({
      "eks.amazonaws.com/role-arn": arn,
    });
  });
});

describe("the heartbeat probe command", () => {
  // The probe runs in the image with its own path; here it runs on a copy pointed at a temp file.
  const probe = (file: string, maxAge: number): number => {
    const [node, flag, script] = heartbeatProbeCommand(maxAge);
    expect(node).toBe("node");
    try {
      execFileSync(process.execPath, [
        flag,
        script.replace(JSON.stringify(HEARTBEAT_FILE), JSON.stringify(file)),
      ]);
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };

  it("passes on a fresh heartbeat and fails on a stale or missing one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "regionctl-probe-"));
    const file = path.join(dir, "beat");
    writeFileSync(file, "now\n");
    expect(probe(file, 60)).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    expect(probe(file, 60)).toBe(1);
    expect(probe(path.join(dir, "missing"), 60)).not.toBe(0);
  });
});
