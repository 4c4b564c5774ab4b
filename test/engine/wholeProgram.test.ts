import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { afterDetach, afterFailover } from "./failoverStates";
import type { PolicyViolation } from "../../policy/offline/evaluate";
import { DEV_STACK_ADVISORIES, violatedByLevel } from "../policy/fixtures";
import { sdkVersions } from "./standinPlugins";
import {
  type CliResult,
  type DeployedResource,
  POLICY_PACK,
  type WholeProgramStack,
  openWholeProgramStack,
} from "./wholeProgramStack";

/**
 * The repository's real program and policy pack on the real engine, with the stand-in provider
 * plugin answering for AWS, Kubernetes and random like a cloud that accepts everything: a fresh
 * environment, `pulumi up`, the environment after a failover and after a detach-and-promote, and a
 * config that breaks a mandatory policy on purpose.
 */

const ENGINE_MS = 300_000;
const FROM = "us-east-1";
const TO = "us-west-2";
const MOVE = { from: FROM, to: TO, at: "2026-11-30T12:00:00.000Z" };

function opens(): { binDir: string; standinDir: string } {
  return { binDir: inject("pulumiBinDir"), standinDir: inject("standinDir") };
}

/**
 * Resource name -> operation, for the cloud resources a step changes. Components are left out: they
 * come and go with their resources and no provider is called for them.
 */
function changes(steps: Map<string, { op: string; urn: string }>): Record<string, string> {
  return Object.fromEntries(
    [...steps]
      .filter(([, s]) => s.op !== "same" && s.op !== "read" && !typeOf(s.urn).startsWith("regionctl:"))
      .map(([name, s]) => [name, s.op]),
  );
}

/** The resource type in a URN (urn:pulumi:stack::project::parent$type::name). */
function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function noMandatoryViolation(output: string): void {
  expect(output).toContain(`regionctl@v0.1.0 (local: ${POLICY_PACK})`);
  expect(output).not.toContain("[mandatory]");
}

describe("the real program on the real engine", () => {
  let stack: WholeProgramStack;

  beforeAll(async () => {
    stack = await openWholeProgramStack(opens());
  }, ENGINE_MS);

  afterAll(async () => {
    await stack?.dispose();
  });

  it(
    "previews a fresh environment with the policy pack, loading the stand-in for every provider",
    async () => {
      const res = await stack.pulumi("preview", "--policy-pack", POLICY_PACK);

      expect(res.code, res.output).toBe(0);
      noMandatoryViolation(res.output);
      expect(res.output).toMatch(/\+ \d+ to create/);
      const versions = sdkVersions();
      const about = await stack.pulumiOk("plugin", "ls");
      for (const [pkg, version] of Object.entries(versions)) {
        expect(about.output).toMatch(new RegExp(`${pkg}\\s+resource\\s+${version.replace(/\./g, "\\.")}`));
      }
    },
    ENGINE_MS,
  );

  it(
    "deploys with the policy pack; the next preview changes nothing and a refresh reads every resource back",
    async () => {
      await stack.writeState(initialState(stack.config));
      await stack.pulumiOk("up", "--yes", "--skip-preview", "--policy-pack", POLICY_PACK);

      const res = await stack.pulumi("preview", "--expect-no-changes", "--policy-pack", POLICY_PACK);
      expect(res.code, res.output).toBe(0);
      noMandatoryViolation(res.output);
      // The stand-in's cloud reads back every resource as deployed. (The stack's reference to its own
      // outputs does change: the update recorded it before it wrote them.)
      const before = await stack.deployed();
      await stack.pulumiOk("refresh", "--yes");
      const deployed = await stack.deployed();
      expect(cloudResources(deployed)).toEqual(cloudResources(before));
      expect(cloudResources(deployed).size).toBeGreaterThan(50);
      expect(deployed.get("dns-primary")?.outputs?.records).toEqual([endpointOf(stack, FROM)]);
      expect(deployed.get(`${FROM}-db-cluster`)?.outputs?.tags).toEqual({ role: "writer" });
    },
    ENGINE_MS,
  );

  it(
    "refuses to render the deployed stack when its state document is missing, changing nothing",
    async () => {
      await stack.removeState();
      try {
        const res = await stack.pulumi("preview");
        expect(res.code).not.toBe(0);
        expect(res.output).toContain("is deployed but has no operational state document");
      } finally {
        await stack.writeState(initialState(stack.config));
      }
    },
    ENGINE_MS,
  );

  it(
    "after a failover, updates only the writer's records, the role tags and the sync jobs; nothing is replaced",
    async () => {
      await stack.writeState(afterFailover(stack.config, MOVE));

      const steps = await stack.previewSteps();

      expect(changes(steps)).toEqual({
        "dns-primary": "update",
        // One secondary left serving: a plain SECONDARY record instead of the latency set.
        "dns-secondary": "update",
        [`${TO}-dns-secondary`]: "delete",
        "eu-west-1-dns-secondary": "delete",
        [`${FROM}-db-cluster`]: "update",
        [`${TO}-db-cluster`]: "update",
        [`${FROM}-sync-cronjob`]: "create",
        [`${TO}-sync-cronjob`]: "delete",
        "eu-west-1-sync-cronjob": "update",
      });
      expect(steps.get(`${FROM}-db-cluster`)?.diffReasons).toEqual(["tags"]);
      expect(steps.get(`${TO}-db-cluster`)?.diffReasons).toEqual(["tags"]);
      expect(steps.get("dns-primary")?.diffReasons?.sort()).toEqual(["healthCheckId", "records"]);
    },
    ENGINE_MS,
  );

  it(
    "after a failover, pulumi preview --policy-pack and regionctl validate --stack dev pass",
    async () => {
      await stack.writeState(afterFailover(stack.config, MOVE));

      const [preview, validate] = await Promise.all([
        stack.pulumi("preview", "--policy-pack", POLICY_PACK),
        stack.regionctl("validate", "--stack", "dev", "--json"),
      ]);

      expect(preview.code, preview.output).toBe(0);
      noMandatoryViolation(preview.output);
      validatedOk(stack, validate);
    },
    ENGINE_MS,
  );

  it(
    "a plain pulumi up after the failover keeps the new writer: nothing left to change, PRIMARY on the new writer",
    async () => {
      await stack.writeState(afterFailover(stack.config, MOVE));
      await stack.pulumiOk("up", "--yes", "--skip-preview", "--policy-pack", POLICY_PACK);

      const res = await stack.pulumi("preview", "--expect-no-changes", "--policy-pack", POLICY_PACK);

      expect(res.code, res.output).toBe(0);
      noMandatoryViolation(res.output);
      const deployed = await stack.deployed();
      expect(deployed.get("dns-primary")?.outputs?.records).toEqual([endpointOf(stack, TO)]);
      expect(deployed.get(`${TO}-db-cluster`)?.outputs?.tags).toEqual({ role: "writer" });
      expect(deployed.get(`${FROM}-db-cluster`)?.outputs?.tags).toEqual({ role: "secondary" });
    },
    ENGINE_MS,
  );

  it(
    "after a detach-and-promote, pulumi preview --policy-pack and regionctl validate --stack dev pass",
    async () => {
      await stack.writeState(afterDetach(stack.config, MOVE));

      const [preview, validate] = await Promise.all([
        stack.pulumi("preview", "--policy-pack", POLICY_PACK),
        stack.regionctl("validate", "--stack", "dev", "--json"),
      ]);

      expect(preview.code, preview.output).toBe(0);
      noMandatoryViolation(preview.output);
      validatedOk(stack, validate);
    },
    ENGINE_MS,
  );
  it(
    "sees replacements when there are some: moving the global provider's region replaces the global resources",
    async () => {
      await stack.pulumiOk("config", "set", "aws:region", "eu-west-1");
      try {
        const ops = changes(await stack.previewSteps());

        expect(ops["global-aws"]).toBe("replace");
        expect(ops["global-db-cluster"]).toBe("replace");
        expect(ops["dns-primary"]).toBe("replace");
        // The regions' own providers do not move.
        expect(ops[`${TO}-db-cluster`]).toBeUndefined();
      } finally {
        await stack.pulumiOk("config", "set", "aws:region", FROM);
      }
    },
    ENGINE_MS,
  );
});

describe("a mandatory policy broken on purpose", () => {
  let stack: WholeProgramStack;

  beforeAll(async () => {
    stack = await openWholeProgramStack({
      ...opens(),
      editConfig: (config) => {
        (config["regionctl:database"] as Record<string, unknown>).backupRetentionDays = 3;
      },
    });
  }, ENGINE_MS);

  afterAll(async () => {
    await stack?.dispose();
  });

  it(
    "fails the preview, naming the policy for every region's cluster",
    async () => {
      const res = await stack.pulumi("preview", "--policy-pack", POLICY_PACK);

      expect(res.code, res.output).not.toBe(0);
      expect(res.output).toMatch(/\[mandatory\] \[severity: medium\]\s+aurora-backup-retention/);
      expect(res.output).toContain("backupRetentionPeriod is 3 days; at least 7 days are required.");
      for (const region of stack.config.regions) {
        expect(res.output).toContain(`${region.region}-db-cluster`);
      }
    },
    ENGINE_MS,
  );
});

/** Id, inputs and outputs of the resources a provider plugin manages, by name. */
function cloudResources(deployed: Map<string, DeployedResource>): Map<string, unknown> {
  return new Map(
    [...deployed]
      .filter(([, r]) => r.custom === true && !r.type.startsWith("pulumi:"))
      .map(([name, r]) => [name, { id: r.id, inputs: r.inputs, outputs: r.outputs }]),
  );
}

/** `regionctl validate --json` passed, over the stored document (not one derived from config). */
function validatedOk(stack: WholeProgramStack, res: CliResult): void {
  expect(res.code, res.output).toBe(0);
  const report = JSON.parse(res.stdout) as {
    outcome: string;
    stateSource: string;
    violations: PolicyViolation[];
  };
  expect(report).toMatchObject({ outcome: "ok", stateSource: stack.stateFile });
  expect(violatedByLevel(report.violations)).toEqual({ mandatory: [], advisory: DEV_STACK_ADVISORIES });
}

function endpointOf(stack: WholeProgramStack, region: string): string {
  const found = stack.config.regions.find((r) => r.region === region);
  if (found === undefined) throw new Error(`the dev config has no region ${region}`);
  return found.endpoint;
}
