import { describe, expect, it } from "vitest";
import { planDnsRecords, secondarySetName } from "../../components/dnsRecords";
import { HEALTH_CHECKER_REGIONS, healthCheckSpec } from "../../components/healthCheckSpec";
import { initialState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import { type MockRecorder, type RecordedResource, runProgram } from "./mockRuntime";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";
import { parseConfig } from "../../components/config";

const HEALTH = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";

/** The routed records; each region's own endpoint record lives in its RegionStack (appExposure.test.ts). */
const routed = (rec: MockRecorder): RecordedResource[] =>
  rec.ofType(RECORD).filter((r) => rec.parentOf(r)?.type === "regionctl:index:FailoverRouting");
const failoverRole = (r: RecordedResource): string | undefined => r.inputs.failoverRoutingPolicies?.[0]?.type;
const primaries = (rec: MockRecorder) => routed(rec).filter((r) => failoverRole(r) === "PRIMARY");
const healthCheckOf = (rec: MockRecorder, region: string) => rec.named(`${region}-dns-health`, HEALTH);

// The default 3-region program, run once and shared by the tests that only read it.
let defaultRun: ReturnType<typeof runProgram> | undefined;
const defaultProgram = () => (defaultRun ??= runProgram({ config: rawConfig() }));

describe("FailoverRouting health checks", () => {
  it("creates one HTTPS health check per region with the configured path, interval and threshold", async () => {
    const config = withPatch((c) => {
      c.dns.healthCheck = { path: "/healthz", intervalSeconds: 30, failureThreshold: 5 };
    });
    const { recorder } = await runProgram({ config });
    const checks = recorder.ofType(HEALTH);
    expect(checks.map((c) => c.name).sort()).toEqual(
      ["eu-west-1-dns-health", "us-east-1-dns-health", "us-west-2-dns-health"].sort(),
    );
    for (const check of checks) {
      const region = check.name.replace(/-dns-health$/, "");
      expect(check.inputs).toMatchObject({
        type: "HTTPS",
        fqdn: `app.${region}.dev.example.com`,
        port: 443,
        resourcePath: "/healthz",
        requestInterval: 30,
        failureThreshold: 5,
        measureLatency: true,
      });
      expect(check.inputs.regions.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("uses the global provider and lives in the FailoverRouting component", async () => {
    const { recorder } = await defaultProgram();
    for (const r of [...recorder.ofType(HEALTH), ...routed(recorder)]) {
      expect(recorder.providerOf(r)?.name).toBe("global-aws");
      expect(recorder.parentOf(r)?.type).toBe("regionctl:index:FailoverRouting");
      expect(recorder.ancestorOfType(r, "regionctl:index:RegionStack")).toBeUndefined();
    }
  });

  it("healthCheckSpec lists every Route 53 checker region", () => {
    const spec = healthCheckSpec("app.example.com", validConfig().dns.healthCheck);
    expect(spec.regions).toEqual([...HEALTH_CHECKER_REGIONS]);
    expect(new Set(spec.regions).size).toBe(8);
  });
});

describe("FailoverRouting failover records", () => {
  it("has exactly one PRIMARY record, on the writer region, health-checked by the writer's check", async () => {
    const { recorder } = await defaultProgram();
    const [primary, ...others] = primaries(recorder);
    expect(others).toHaveLength(0);
    expect(primary.inputs).toMatchObject({
      name: "app.dev.example.com",
      type: "CNAME",
      records: ["app.us-east-1.dev.example.com"],
      healthCheckId: healthCheckOf(recorder, "us-east-1").id,
      setIdentifier: "primary",
      ttl: 60,
    });
  });

  it("points SECONDARY at an alias to a latency set of every secondary when there are several", async () => {
    const { recorder } = await defaultProgram();
    const secondary = routed(recorder).filter((r) => failoverRole(r) === "SECONDARY");
    expect(secondary).toHaveLength(1);
    expect(secondary[0].inputs.aliases).toEqual([
      {
        name: "secondaries.app.dev.example.com",
        zoneId: "Z0123456789ABCDEFGHIJ",
        evaluateTargetHealth: true,
      },
    ]);
    expect(secondary[0].inputs.ttl).toBeUndefined();
    const set = routed(recorder).filter((r) => r.inputs.name === "secondaries.app.dev.example.com");
    expect(set.map((r) => r.inputs.latencyRoutingPolicies[0].region).sort()).toEqual([
      "eu-west-1",
      "us-west-2",
    ]);
    for (const r of set) {
      const region = r.inputs.setIdentifier as string;
      expect(r.name).toBe(`${region}-dns-secondary`);
      expect(r.inputs.records).toEqual([`app.${region}.dev.example.com`]);
      expect(r.inputs.healthCheckId).toBe(healthCheckOf(recorder, region).id);
    }
  });

  it("creates the SECONDARY alias only after the latency records it targets", async () => {
    const { recorder } = await defaultProgram();
    const [alias] = routed(recorder).filter((r) => failoverRole(r) === "SECONDARY");
    const set = routed(recorder).filter((r) => r.inputs.name === "secondaries.app.dev.example.com");
    expect(set).toHaveLength(2);
    for (const target of set) expect(alias.dependencies).toContain(target.urn);
    expect(recorder.resources.indexOf(alias)).toBeGreaterThan(
      Math.max(...set.map((r) => recorder.resources.indexOf(r))),
    );
  });

  it("points SECONDARY straight at the other region when there are two regions", async () => {
    const { recorder } = await runProgram({ config: rawConfig({ regionCount: 2 }) });
    const records = routed(recorder);
    expect(records).toHaveLength(2);
    const secondary = records.find((r) => failoverRole(r) === "SECONDARY");
    expect(secondary?.inputs).toMatchObject({
      records: ["app.us-west-2.dev.example.com"],
      healthCheckId: healthCheckOf(recorder, "us-west-2").id,
      ttl: 60,
    });
  });

  it("uses the configured TTL on every record that is not an alias", async () => {
    const { recorder } = await runProgram({ config: withPatch((c) => (c.dns.ttl = 15)) });
    const plain = routed(recorder).filter((r) => r.inputs.aliases === undefined);
    expect(plain.length).toBe(3);
    for (const r of plain) expect(r.inputs.ttl).toBe(15);
  });

  it("moves the PRIMARY record with the operational state's writer", async () => {
    const config = validConfig();
    const { recorder } = await runProgram({
      config: rawConfig(),
      state: { ...initialState(config), writer: "eu-west-1" },
    });
    const [primary, ...others] = primaries(recorder);
    expect(others).toHaveLength(0);
    expect(primary.name).toBe("dns-primary");
    expect(primary.inputs.records).toEqual(["app.eu-west-1.dev.example.com"]);
    expect(primary.inputs.healthCheckId).toBe(healthCheckOf(recorder, "eu-west-1").id);
  });
});

describe("FailoverRouting latency and weighted records", () => {
  it("latency: one health-checked record per region and no failover records", async () => {
    const { recorder } = await runProgram({ config: rawConfig({ routing: "latency" }) });
    const records = routed(recorder);
    expect(records.map((r) => r.name).sort()).toEqual(
      ["eu-west-1-dns-latency", "us-east-1-dns-latency", "us-west-2-dns-latency"].sort(),
    );
    for (const r of records) {
      const region = r.name.replace(/-dns-latency$/, "");
      expect(r.inputs).toMatchObject({
        name: "app.dev.example.com",
        setIdentifier: region,
        latencyRoutingPolicies: [{ region }],
        healthCheckId: healthCheckOf(recorder, region).id,
        ttl: 60,
      });
      expect(r.inputs.failoverRoutingPolicies).toBeUndefined();
    }
  });

  it("weighted: weights come from the topology; a drained region gets weight 0", async () => {
    const raw = rawConfig({ routing: "weighted" });
    const config = parseConfig(raw);
    const state = initialState(config);
    state.regions["us-west-2"] = { ...state.regions["us-west-2"], drained: true };
    const { recorder } = await runProgram({ config: raw, state });
    const plan = planTopology(config, state);
    const records = routed(recorder);
    expect(records).toHaveLength(3);
    for (const region of plan.regions) {
      const record = recorder.named(`${region.region}-dns-weighted`, RECORD);
      expect(record.inputs.weightedRoutingPolicies).toEqual([{ weight: region.dns.weight }]);
      expect(record.inputs.healthCheckId).toBe(healthCheckOf(recorder, region.region).id);
    }
    expect(recorder.named("us-west-2-dns-weighted", RECORD).inputs.weightedRoutingPolicies).toEqual([
      { weight: 0 },
    ]);
    expect(recorder.named("us-east-1-dns-weighted", RECORD).inputs.weightedRoutingPolicies).toEqual([
      { weight: 100 },
    ]);
  });
});

describe("planDnsRecords (pure)", () => {
  const config = validConfig({ regionCount: 4 });

  it("leaves a drained secondary out of the secondaries' latency set", () => {
    const state = initialState(config);
    state.regions["eu-west-1"] = { ...state.regions["eu-west-1"], drained: true };
    const specs = planDnsRecords(planTopology(config, state), config.dns);
    const set = specs.filter((s) => s.name === secondarySetName(config.dns.name));
    expect(set.map((s) => s.region).sort()).toEqual(["us-east-2", "us-west-2"]);
  });

  it("falls back to a plain SECONDARY when only one secondary still serves", () => {
    const state = initialState(config);
    for (const r of ["eu-west-1", "us-east-2"]) state.regions[r] = { ...state.regions[r], drained: true };
    const specs = planDnsRecords(planTopology(config, state), config.dns);
    expect(specs.map((s) => [s.key, s.policy])).toEqual([
      ["primary", { kind: "failover", role: "PRIMARY" }],
      ["secondary", { kind: "failover", role: "SECONDARY" }],
    ]);
    expect(specs[1].target).toEqual({
      kind: "endpoint",
      region: "us-west-2",
      endpoint: "app.us-west-2.dev.example.com",
    });
  });

  it("keeps set identifiers of failover records stable when the writer moves", () => {
    const before = planDnsRecords(planTopology(config, null), config.dns);
    const after = planDnsRecords(
      planTopology(config, { ...initialState(config), writer: "us-west-2" }),
      config.dns,
    );
    const roleKeyed = (specs: typeof before) =>
      specs.filter((s) => s.region === null).map((s) => `${s.key}/${s.setIdentifier}`);
    expect(roleKeyed(after)).toEqual(roleKeyed(before));
    expect(after.find((s) => s.key === "primary")?.target).toMatchObject({ region: "us-west-2" });
  });
});
