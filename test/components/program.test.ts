import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { rawConfigFromStackConfig } from "../../components/config";
import { readProgramState } from "../../components/programState";
import { MockRecorder, type ProgramRun, type RecordedResource, runMocked, runProgram } from "./mockRuntime";
import { rawConfig, stateWithWriter, validConfig, withPatch } from "./helpers/environmentFixture";

const REGION_STACK = "regionctl:index:RegionStack";
const RECORD = "aws:route53/record:Record";

const regionStackOf = (rec: MockRecorder, r: RecordedResource) => rec.ancestorOfType(r, REGION_STACK)?.name;

describe.each([2, 3, 6, 11])("the program with %i regions", (count) => {
  let run: ProgramRun;
  const config = validConfig({ regionCount: count });
  const regions = config.regions.map((r) => r.region);

  beforeAll(async () => {
    run = await runProgram({ config: rawConfig({ regionCount: count }) });
  });

  it("builds one RegionStack, cluster and health check per region, and one PRIMARY record", () => {
    const rec = run.recorder;
    expect(
      rec
        .ofType(REGION_STACK)
        .map((s) => s.name)
        .sort(),
    ).toEqual([...regions].sort());
    expect(rec.ofType("aws:rds/cluster:Cluster")).toHaveLength(count);
    expect(rec.ofType("aws:route53/healthCheck:HealthCheck")).toHaveLength(count);
    expect(rec.ofType("kubernetes:batch/v1:CronJob")).toHaveLength(count - 1);
    expect(rec.ofType("aws:rds/globalCluster:GlobalCluster")).toHaveLength(1);
    expect(
      rec.ofType(RECORD).filter((r) => r.inputs.failoverRoutingPolicies?.[0]?.type === "PRIMARY"),
    ).toHaveLength(1);
  });

  it("exports every region's endpoint, health check id and cluster ARN, and the global cluster id and writer endpoint", () => {
    const out = run.outputs;
    expect(Object.keys(out.regions.value).sort()).toEqual([...regions].sort());
    for (const r of config.regions) {
      expect(out.regions.value[r.region]).toEqual({
        role: r.region === "us-east-1" ? "writer" : "secondary",
        endpoint: r.endpoint,
        healthCheckId: `${r.region}-dns-health-id`,
        clusterArn: `arn:aws:rds:${r.region}:123456789012:cluster:dev-${r.region}`,
        clusterEndpoint: `dev-${r.region}.cluster-mock.${r.region}.rds.amazonaws.com`,
        readerEndpoint: `dev-${r.region}.cluster-ro-mock.${r.region}.rds.amazonaws.com`,
      });
    }
    expect(out.globalClusterId.value).toBe("dev-global");
    expect(out.writerEndpoint.value).toBe("dev-global.global-mock.global.rds.amazonaws.com");
    expect(out.writer.value).toBe("us-east-1");
  });

  it("keeps every resource on a region's providers inside that RegionStack, named after the region", () => {
    const rec = run.recorder;
    const regionProviders = rec.resources.filter(
      (r) => r.type.startsWith("pulumi:providers:") && r.name !== "global-aws",
    );
    expect(regionProviders).toHaveLength(count * 2);
    for (const p of regionProviders) {
      const region = regionStackOf(rec, p);
      expect(regions).toContain(region);
      expect(p.name.startsWith(`${region}-`)).toBe(true);
    }
    for (const r of rec.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
      const provider = rec.providerOf(r);
      if (provider === undefined && r.type === "random:index/randomId:RandomId") {
        // A member's final-snapshot suffix: no cloud provider, but inside its region's stack.
        const region = regionStackOf(rec, r) as string;
        expect(regions).toContain(region);
        expect(r.name.startsWith(`${region}-`)).toBe(true);
        continue;
      }
      if (provider === undefined || provider.name === "global-aws") {
        // Only global pieces: the global cluster, the secret, Route 53, and the provider-less password.
        expect(regionStackOf(rec, r)).toBeUndefined();
        continue;
      }
      const region = regionStackOf(rec, provider);
      expect(regionStackOf(rec, r)).toBe(region);
      expect(r.name.startsWith(`${region}-`)).toBe(true);
    }
  });

  it("uses no default provider except for the random password and the final-snapshot suffixes", () => {
    const rec = run.recorder;
    const defaults = rec.resources.filter(
      (r) =>
        r.custom &&
        !r.type.startsWith("pulumi:providers:") &&
        r.type !== "pulumi:pulumi:StackReference" && // read by the engine itself, from the backend
        r.provider === undefined,
    );
    expect(defaults.map((r) => r.type).sort()).toEqual([
      ...Array<string>(count).fill("random:index/randomId:RandomId"),
      "random:index/randomPassword:RandomPassword",
    ]);
  });
});

describe("an operational state that names us-west-2 as writer", () => {
  let before: MockRecorder;
  let after: MockRecorder;
  let afterRun: ProgramRun;

  beforeAll(async () => {
    const raw = rawConfig();
    before = (await runProgram({ config: raw })).recorder;
    afterRun = await runProgram({ config: raw, state: stateWithWriter(validConfig(), "us-west-2") });
    after = afterRun.recorder;
  });

  /** Inputs as the engine would diff them: without the properties the resource ignores. */
  const effective = (r: RecordedResource) =>
    Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !r.ignoreChanges.includes(k)));
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;

  it("moves the primary cluster to us-west-2", () => {
    const primary = after.named("us-west-2-db-cluster", "aws:rds/cluster:Cluster");
    expect(primary.inputs.masterUsername).toBe("regionctl_admin");
    expect(primary.secretInputs).toContain("masterPassword");
    const old = after.named("us-east-1-db-cluster", "aws:rds/cluster:Cluster");
    expect(old.inputs.masterPassword).toBeUndefined();
    expect(after.dependsOn(old, primary)).toBe(true);
    expect(after.dependsOn(after.named("eu-west-1-db-cluster", "aws:rds/cluster:Cluster"), primary)).toBe(
      true,
    );
    expect(after.dependsOn(primary, old)).toBe(false);
  });

  it("moves the PRIMARY record to us-west-2", () => {
    const primary = after.named("dns-primary", RECORD);
    expect(primary.inputs.failoverRoutingPolicies).toEqual([{ type: "PRIMARY" }]);
    expect(primary.inputs.records).toEqual(["app.us-west-2.dev.example.com"]);
    expect(primary.inputs.healthCheckId).toBe("us-west-2-dns-health-id");
    expect(afterRun.outputs.writer.value).toBe("us-west-2");
    expect(afterRun.outputs.regions.value["us-west-2"].role).toBe("writer");
  });

  it("changes nothing else", () => {
    const beforeByKey = new Map(before.resources.map((r) => [key(r), r]));
    const afterByKey = new Map(after.resources.map((r) => [key(r), r]));
    const added = [...afterByKey.keys()].filter((k) => !beforeByKey.has(k)).sort();
    const removed = [...beforeByKey.keys()].filter((k) => !afterByKey.has(k)).sort();
    const changed = [...afterByKey.entries()]
      .filter(
        ([k, r]) =>
          beforeByKey.has(k) &&
          JSON.stringify(effective(r)) !== JSON.stringify(effective(beforeByKey.get(k)!)),
      )
      .map(([k]) => k)
      .sort();

    // The sync job follows the writer; the secondaries' latency set swaps us-east-1 for us-west-2.
    expect(added).toEqual([
      "aws:route53/record:Record::us-east-1-dns-secondary",
      "kubernetes:batch/v1:CronJob::us-east-1-sync-cronjob",
      "regionctl:index:SyncJob::us-east-1-sync",
    ]);
    expect(removed).toEqual([
      "aws:route53/record:Record::us-west-2-dns-secondary",
      "kubernetes:batch/v1:CronJob::us-west-2-sync-cronjob",
      "regionctl:index:SyncJob::us-west-2-sync",
    ]);
    // The two members' role tags, the PRIMARY record's target, and the remaining sync job's source region.
    expect(changed).toEqual([
      "aws:rds/cluster:Cluster::us-east-1-db-cluster",
      "aws:rds/cluster:Cluster::us-west-2-db-cluster",
      "aws:route53/record:Record::dns-primary",
      "kubernetes:batch/v1:CronJob::eu-west-1-sync-cronjob",
    ]);
  });

  it("retags the members with their new roles, an in-place update", () => {
    const role = (rec: MockRecorder, region: string) =>
      rec.named(`${region}-db-cluster`, "aws:rds/cluster:Cluster").inputs.tags.role;
    expect([role(before, "us-east-1"), role(before, "us-west-2")]).toEqual(["writer", "secondary"]);
    expect([role(after, "us-east-1"), role(after, "us-west-2")]).toEqual(["secondary", "writer"]);
  });

  it("leaves the global cluster, the secret and every cluster's diffable inputs but its role tag alone", () => {
    const untagged = (r: RecordedResource) => ({ ...effective(r), tags: undefined });
    for (const type of [
      "aws:rds/globalCluster:GlobalCluster",
      "aws:secretsmanager/secret:Secret",
      "aws:rds/cluster:Cluster",
    ]) {
      for (const r of after.ofType(type)) {
        const old = before.named(r.name, type);
        expect(untagged(r)).toEqual(untagged(old));
      }
    }
  });
});

describe("program inputs", () => {
  it("rejects an invalid config with a RunError that lists every problem by key", async () => {
    const config = withPatch((c) => {
      c.dns.ttl = 300;
      c.writer = "ap-south-1";
      c.sync.batchSize = 0;
    });
    const error = await runProgram({ config }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("regionctl:dns.ttl");
    expect(message).toContain("regionctl:writer");
    expect(message).toContain("regionctl:sync.batchSize");
    expect(message).not.toMatch(/\n\s+at /);
  });

  it("builds the shipped Pulumi.dev.yaml", async () => {
    const file = parseYaml(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const { recorder, outputs } = await runProgram({ config: rawConfigFromStackConfig(file.config) });
    expect(Object.keys(outputs.regions.value).sort()).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
    expect(recorder.ofType("kubernetes:batch/v1:CronJob")).toHaveLength(2);
  });

  it("registers the same resources in a preview as in an update", async () => {
    const update = await runProgram({ config: rawConfig({ regionCount: 2 }) });
    const preview = await runProgram({ config: rawConfig({ regionCount: 2 }), preview: true });
    const names = (rec: MockRecorder) => rec.resources.map((r) => `${r.type}::${r.name}`).sort();
    expect(names(preview.recorder)).toEqual(names(update.recorder));
    expect(preview.outputs.writer.value).toBe("us-east-1");
  });

  it("derives the state from config when the store holds none", async () => {
    const { outputs } = await runProgram({ config: rawConfig({ writer: "eu-west-1" }), state: null });
    expect(outputs.writer.value).toBe("eu-west-1");
  });
});

describe("a deployed stack without its operational state document", () => {
  const STACK_REFERENCE = "pulumi:pulumi:StackReference";
  /** The engine's answer for a reference to the stack itself: its last update's outputs. */
  const deployed = (outputs: Record<string, unknown>) => ({
    states: { [STACK_REFERENCE]: () => ({ outputs }) },
  });

  it("refuses with a message naming where the document should be", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "regionctl-no-state-"));
    const config = { ...validConfig(), stateStore: { kind: "file" as const, directory } };
    const { result } = await runMocked(
      () =>
        readProgramState(config).then(
          () => undefined,
          (e: unknown) => e,
        ),
      deployed({ writer: "us-west-2" }),
    );
    const message = ((await result) as Error).message;
    expect(message).toBe(
      `stack dev is deployed but has no operational state document at ${path.join(directory, "dev.json")}. ` +
        "Rendering the configured writer could undo a failover, so nothing was changed. Run from where " +
        "the controller keeps the document, or set regionctl:stateStore to the team's shared store (kind: s3).",
    );
  });

  it("reads the stack itself through a reference to organization/project/stack", async () => {
    const { recorder } = await runProgram({ config: rawConfig(), state: null });
    const [self] = recorder.ofType(STACK_REFERENCE);
    expect(self.inputs.name).toBe("organization/regionctl/dev");
  });

  it("renders the stored state of a deployed stack", async () => {
    const { outputs } = await runProgram({
      config: rawConfig(),
      state: stateWithWriter(validConfig(), "us-west-2"),
      ...deployed({ writer: "us-west-2" }),
    });
    expect(outputs.writer.value).toBe("us-west-2");
  });

  it("derives the state from config for a stack never deployed (no outputs yet)", async () => {
    const { outputs } = await runProgram({ config: rawConfig(), state: null, ...deployed({}) });
    expect(outputs.writer.value).toBe("us-east-1");
  });
});

describe("the recording mock", () => {
  it("throws on an unmocked invoke and records it as an error", async () => {
    // Driven directly: through the SDK the failure also surfaces as an unhandled rejection, which
    // is what makes a program test that calls an unmocked invoke fail loudly.
    const recorder = new MockRecorder();
    expect(() => recorder.handleInvoke({ token: "aws:index/getRegion:getRegion", inputs: {} })).toThrow(
      /unmocked invoke aws:index\/getRegion:getRegion/,
    );
    expect(() => recorder.throwIfErrors()).toThrow(/unmocked invoke/);
    expect(recorder.invokes.map((i) => i.token)).toEqual(["aws:index/getRegion:getRegion"]);
  });

  it("answers invokes that have a handler", async () => {
    const { recorder, result } = await runMocked(() => aws.getRegionOutput({}).name, {
      invokes: { "aws:index/getRegion:getRegion": () => ({ name: "eu-west-1", region: "eu-west-1" }) },
    });
    expect(recorder.invokes.map((i) => i.token)).toEqual(["aws:index/getRegion:getRegion"]);
    expect(await new Promise((resolve) => result.apply(resolve))).toBe("eu-west-1");
  });
});

describe("an operational state after a detach-and-promote failover to us-west-2", () => {
  const DETACHED = "dev-us-west-2.cluster-detached.us-west-2.rds.amazonaws.com";
  const GLOBAL = "dev-global.global-mock.global.rds.amazonaws.com";
  const detachedState = (writer: string) => ({
    ...stateWithWriter(validConfig(), writer),
    detachedWriter: {
      region: "us-west-2",
      clusterIdentifier: "dev-us-west-2",
      endpoint: DETACHED,
      detachedFrom: "dev-global",
      operationId: "failover-1",
      recordedAt: "2025-01-01T00:05:00.000Z",
    },
  });
  const writerEndpoints = (rec: MockRecorder): string[] => {
    const envs = [
      ...rec
        .ofType("kubernetes:apps/v1:Deployment")
        .map((d) => d.inputs.spec.template.spec.containers[0].env),
      ...rec
        .ofType("kubernetes:batch/v1:CronJob")
        .map((j) => j.inputs.spec.jobTemplate.spec.template.spec.containers[0].env),
    ] as { name: string; value: string }[][];
    return envs.map((env) => env.find((e) => e.name === "DATABASE_WRITER_ENDPOINT")?.value ?? "missing");
  };
  // The secret holds credentials only: a host in it, written once, would name the old writer.
  const secretHost = (rec: MockRecorder): unknown =>
    JSON.parse(rec.ofType("aws:secretsmanager/secretVersion:SecretVersion")[0].inputs.secretString).host;

  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram({ config: rawConfig(), state: detachedState("us-west-2") });
  });

  it("points every app and every sync job at the detached cluster's own endpoint, and the secret at none", () => {
    const endpoints = writerEndpoints(run.recorder);
    expect(endpoints.length).toBeGreaterThan(3);
    expect(new Set(endpoints)).toEqual(new Set([DETACHED]));
    expect(secretHost(run.recorder)).toBeUndefined();
    expect(run.outputs.writerEndpoint.value).toBe(DETACHED);
    expect(run.outputs.writer.value).toBe("us-west-2");
  });

  it("goes back to the global endpoint once the writer is another region's", async () => {
    const moved = await runProgram({ config: rawConfig(), state: detachedState("eu-west-1") });
    expect(new Set(writerEndpoints(moved.recorder))).toEqual(new Set([GLOBAL]));
    expect(secretHost(moved.recorder)).toBeUndefined();
  });
});
