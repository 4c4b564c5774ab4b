import { describe, expect, it } from "vitest";
import { canaryReplicas } from "../../automation/plans/promotionCanary";
import { planTopology } from "../../components/topology";
import { sampleConfig } from "../support/sampleConfig";
import { applyPatches, freshState, mustPlan, statesAtUpdates, updateTargets } from "./promotionFixtures";

describe("canary promotion planner", () => {
  const cases = [
    { n: 2, priorities: {}, maxParallel: 1, canary: "us-west-2", waves: [["us-east-1"]] },
    // Equal priorities: failover would take us-west-2 first, so the canary goes to eu-west-1.
    { n: 3, priorities: {}, maxParallel: 1, canary: "eu-west-1", waves: [["us-west-2"], ["us-east-1"]] },
    {
      n: 6,
      priorities: { "ap-northeast-1": 9, "eu-west-1": 9 },
      maxParallel: 2,
      // The least preferred failover target (highest number; last in config order on a tie).
      canary: "ap-northeast-1",
      waves: [["us-west-2", "eu-central-1"], ["ap-southeast-2", "eu-west-1"], ["us-east-1"]],
    },
  ];

  it.each(cases)("$n regions: canary in $canary", ({ n, priorities, maxParallel, canary, waves }) => {
    const config = sampleConfig({
      regions: n,
      priorities,
      release: { maxParallel, canarySteps: [10, 50, 100] },
    });
    const state = freshState(config);
    const plan = mustPlan(config, state, "2.0.0", { strategy: "canary" });

    expect(updateTargets(plan)).toEqual([[canary], [canary], [canary], ...waves]);
    expect(new Set(plan.regions)).toEqual(new Set([canary, ...waves.flat()]));

    // Each canary step: patch, update, gate, analysis against every other region.
    const analyses = plan.steps.filter((s) => s.kind === "analysis" && s.id.startsWith("canary-"));
    expect(analyses.map((a) => a.id)).toEqual([
      "canary-10/analysis",
      "canary-50/analysis",
      "canary-100/analysis",
    ]);
    // The waves after the canary are analysed too.
    expect(plan.steps.filter((s) => s.id.startsWith("wave-") && s.id.endsWith("/analysis"))).toHaveLength(
      waves.length,
    );
    for (const a of analyses) {
      expect(a).toMatchObject({
        canaryRegion: canary,
        canaryColor: "green",
        bakeSeconds: config.release.bakeSeconds,
        maxErrorRate: 0.2,
        maxLatencyMs: 2000,
        minSamples: config.release.minSamples,
        consecutiveFailureLimit: config.release.consecutiveFailureLimit,
        intervalSeconds: config.release.analysisIntervalSeconds,
      });
      if (a.kind === "analysis") {
        expect([...a.baselineRegions].sort()).toEqual(
          config.regions
            .map((r) => r.region)
            .filter((r) => r !== canary)
            .sort(),
        );
      }
    }

    // The replica split the topology renders at each weight: stable keeps its pods.
    const updates = statesAtUpdates(state, plan);
    const topo = (i: number) =>
      planTopology(config, updates[i].state).regions.find((r) => r.region === canary);
    expect(topo(0)?.app).toMatchObject({ selectorColor: null, canaryWeight: 10, servingVersion: "1.0.0" });
    expect(topo(0)?.app.slots).toEqual([
      { color: "blue", version: "1.0.0", replicas: 3 },
      { color: "green", version: "2.0.0", replicas: canaryReplicas(3, 10) },
    ]);
    expect(topo(1)?.app.slots[1]).toEqual({
      color: "green",
      version: "2.0.0",
      replicas: canaryReplicas(3, 50),
    });
    expect(topo(2)?.app).toMatchObject({
      selectorColor: "green",
      canaryWeight: null,
      servingVersion: "2.0.0",
    });
    // Other regions do not move during the canary.
    for (const r of waves.flat()) {
      expect(updates[2].state.regions[r]).toEqual(state.regions[r]);
    }

    const final = applyPatches(state, plan.steps);
    for (const r of config.regions.map((x) => x.region)) {
      expect(final.regions[r]).toMatchObject({
        version: "2.0.0",
        releaseStatus: "deployed",
        canaryWeight: null,
      });
    }
    expect(final.regions[canary].activeColor).toBe("green");
    expect(final.regions[canary].slots.blue?.replicas).toBe(0);

    expect(plan.compensation).toEqual([expect.objectContaining({ kind: "restore", regions: plan.regions })]);
  });

  it("skips the analysis when bakeSeconds is 0", () => {
    const config = sampleConfig({ regions: 2, release: { bakeSeconds: 0 } });
    const plan = mustPlan(config, null, "2.0.0", { strategy: "canary" });
    expect(plan.steps.some((s) => s.kind === "analysis")).toBe(false);
  });

  it.each([
    [3, 10, 1],
    [3, 50, 3],
    [10, 10, 1],
    [10, 25, 3],
    [4, 75, 12],
    [5, 100, 5],
  ])("canaryReplicas(stable %i, %i %%) = %i", (stable, weight, expected) => {
    expect(canaryReplicas(stable, weight)).toBe(expected);
  });
});
