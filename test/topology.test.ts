import { describe, expect, it } from "vitest";
import { parseConfig } from "../components/config";
import { type OperationalState, initialState } from "../components/operationalState";
import { DEFAULT_DNS_WEIGHT, planTopology, servingRegions } from "../components/topology";
import { rawConfig, stateWithWriter, validConfig, withPatch } from "./components/helpers/environmentFixture";

const regionOf = (plan: ReturnType<typeof planTopology>, region: string) => {
  const r = plan.regions.find((x) => x.region === region);
  if (r === undefined) throw new Error(`no plan for ${region}`);
  return r;
};

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe("planTopology without an operational state", () => {
  const config = validConfig();
  const plan = planTopology(config, null);

  it("derives the writer and roles from the config", () => {
    expect(plan.writer).toBe("us-east-1");
    expect(plan.regions.map((r) => [r.region, r.role, r.priority])).toEqual([
      ["us-east-1", "writer", 1],
      ["us-west-2", "secondary", 2],
      ["eu-west-1", "secondary", 2],
    ]);
    expect(plan.globalClusterIdentifier).toBe("dev-global");
  });

  it("runs the configured version on the blue slot, green empty, blue selected", () => {
    for (const r of plan.regions) {
      expect(r.app.slots).toEqual([
        { color: "blue", version: "1.0.0", replicas: 3 },
        { color: "green", version: null, replicas: 0 },
      ]);
      expect(r.app.activeColor).toBe("blue");
      expect(r.app.selectorColor).toBe("blue");
      expect(r.app.canaryWeight).toBeNull();
      expect(r.app.servingVersion).toBe("1.0.0");
    }
  });

  it("plans PRIMARY on the writer, SECONDARY elsewhere, with a latency set for several secondaries", () => {
    expect(plan.regions.map((r) => r.dns.failoverRole)).toEqual(["PRIMARY", "SECONDARY", "SECONDARY"]);
    expect(plan.secondaryLatencySet).toBe(true);
    expect(plan.regions.every((r) => r.dns.weight === null && r.serving)).toBe(true);
  });

  it("plans a database member per region and a sync job per secondary pulling from the writer", () => {
    expect(
      plan.regions.map((r) => [r.database.role, r.database.clusterIdentifier, r.database.instances]),
    ).toEqual([
      ["primary", "dev-us-east-1", 2],
      ["secondary", "dev-us-west-2", 2],
      ["secondary", "dev-eu-west-1", 2],
    ]);
    expect(regionOf(plan, "us-east-1").syncJob).toBeNull();
    for (const r of ["us-west-2", "eu-west-1"]) {
      expect(regionOf(plan, r).syncJob).toEqual({
        sourceRegion: "us-east-1",
        schedule: "*/5 * * * *",
        batchSize: 1000,
      });
    }
  });

  it("has no latency set with two regions", () => {
    const two = planTopology(validConfig({ regionCount: 2 }), null);
    expect(two.secondaryLatencySet).toBe(false);
    expect(two.regions.map((r) => r.dns.latencyRegion)).toEqual([null, null]);
  });

  it("plans every size from 2 to 11 regions with exactly one writer", () => {
    for (let n = 2; n <= 11; n++) {
      const p = planTopology(validConfig({ regionCount: n }), null);
      expect(p.regions).toHaveLength(n);
      expect(p.regions.filter((r) => r.role === "writer")).toHaveLength(1);
      expect(p.regions.filter((r) => r.syncJob !== null)).toHaveLength(n - 1);
    }
  });
});

describe("planTopology with an operational state", () => {
  const config = validConfig();

  it("takes the writer from the state, not the config", () => {
    const plan = planTopology(config, stateWithWriter(config, "us-west-2"));
    expect(plan.writer).toBe("us-west-2");
    expect(plan.regions[0].region).toBe("us-west-2");
    expect(regionOf(plan, "us-west-2")).toMatchObject({ role: "writer", priority: 1, syncJob: null });
    expect(regionOf(plan, "us-west-2").dns.failoverRole).toBe("PRIMARY");
    expect(regionOf(plan, "us-east-1")).toMatchObject({ role: "secondary", priority: 2 });
    expect(regionOf(plan, "us-east-1").syncJob?.sourceRegion).toBe("us-west-2");
    expect(regionOf(plan, "us-east-1").database.role).toBe("secondary");
    expect(plan.regions.filter((r) => r.dns.failoverRole === "PRIMARY")).toHaveLength(1);
  });

  it("orders secondaries by configured priority", () => {
    const cfg = parseConfig(withPatch((c) => (c.regions[1].priority = 9), rawConfig({ regionCount: 4 })));
    expect(planTopology(cfg, null).regions.map((r) => r.region)).toEqual([
      "us-east-1",
      "eu-west-1",
      "us-east-2",
      "us-west-2",
    ]);
  });

  it("follows the slots and active colour of a blue-green switch", () => {
    const state = initialState(config);
    state.regions["eu-west-1"] = {
      ...state.regions["eu-west-1"],
      version: "1.1.0",
      activeColor: "green",
      slots: { blue: { version: "1.0.0", replicas: 0 }, green: { version: "1.1.0", replicas: 3 } },
    };
    const r = regionOf(planTopology(config, state), "eu-west-1");
    expect(r.app.selectorColor).toBe("green");
    expect(r.app.servingVersion).toBe("1.1.0");
    expect(r.app.slots[1]).toEqual({ color: "green", version: "1.1.0", replicas: 3 });
  });

  it("selects both colours only while a canary weight is strictly between 0 and 100", () => {
    const state = initialState(config);
    const at = (weight: number | null) => {
      state.regions["us-west-2"] = { ...state.regions["us-west-2"], canaryWeight: weight };
      return regionOf(planTopology(config, state), "us-west-2").app;
    };
    expect(at(10)).toMatchObject({ selectorColor: null, canaryWeight: 10 });
    expect(at(0)).toMatchObject({ selectorColor: "blue", canaryWeight: null });
    expect(at(100)).toMatchObject({ selectorColor: "blue", canaryWeight: null });
    expect(at(null)).toMatchObject({ selectorColor: "blue", canaryWeight: null });
  });

  it("takes a drained region out of traffic: weight 0, out of the secondaries' set", () => {
    const state = initialState(config);
    state.regions["eu-west-1"] = { ...state.regions["eu-west-1"], drained: true };
    const weighted = planTopology(parseConfig(rawConfig({ routing: "weighted" })), state);
    expect(weighted.regions.map((r) => [r.region, r.dns.weight])).toEqual([
      ["us-east-1", DEFAULT_DNS_WEIGHT],
      ["us-west-2", DEFAULT_DNS_WEIGHT],
      ["eu-west-1", 0],
    ]);
    const failover = planTopology(config, state);
    expect(failover.secondaryLatencySet).toBe(false);
    expect(servingRegions(failover)).toEqual(["us-east-1", "us-west-2"]);
  });

  it("plans one latency record per region for latency routing", () => {
    const plan = planTopology(parseConfig(rawConfig({ routing: "latency" })), null);
    expect(plan.regions.map((r) => [r.dns.latencyRegion, r.dns.failoverRole])).toEqual([
      ["us-east-1", null],
      ["us-west-2", null],
      ["eu-west-1", null],
    ]);
  });

  it("reconciles the state with the config: new regions start from config, removed ones are dropped", () => {
    const small = validConfig({ regionCount: 2 });
    const state: OperationalState = {
      ...initialState(config),
      writer: "eu-west-1",
    };
    state.regions["us-west-2"] = { ...state.regions["us-west-2"], version: "0.9.0" };
    const plan = planTopology(small, state);
    expect(plan.regions.map((r) => r.region)).toEqual(["us-east-1", "us-west-2"]);
    // The stored writer left the config, so the config's writer takes over.
    expect(plan.writer).toBe("us-east-1");
    const grown = planTopology(validConfig({ regionCount: 4 }), initialState(config));
    expect(regionOf(grown, "us-east-2").app.servingVersion).toBe("1.0.0");
  });

  it("is pure: it neither mutates its inputs nor depends on earlier calls", () => {
    const state = deepFreeze(stateWithWriter(config, "eu-west-1"));
    const frozen = deepFreeze(structuredClone(config));
    const first = planTopology(frozen, state);
    planTopology(frozen, null);
    expect(planTopology(frozen, state)).toEqual(first);
  });
});
