import { describe, expect, it } from "vitest";
import { planTopology } from "../../components/topology";
import { sampleConfig } from "../support/sampleConfig";
import {
  applyPatches,
  freshState,
  mustPlan,
  servingVersion,
  statesAtUpdates,
  updateTargets,
} from "./promotionFixtures";

describe("blue-green promotion planner", () => {
  const cases = [
    { n: 2, order: ["us-west-2", "us-east-1"] },
    { n: 3, order: ["us-west-2", "eu-west-1", "us-east-1"] },
    {
      n: 6,
      order: ["us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "us-east-1"],
    },
  ];

  it.each(cases)("$n regions", ({ n, order }) => {
    const config = sampleConfig({ regions: n, release: { scaleDownDelaySeconds: 900 } });
    const state = freshState(config);
    const plan = mustPlan(config, state, "2.0.0", { strategy: "blue-green" });

    // Stage everywhere at once, then switch one region at a time (writer last), then scale down.
    expect(updateTargets(plan)).toEqual([order, ...order.map((r) => [r]), order]);
    expect(plan.regions).toEqual(order);

    const updates = statesAtUpdates(state, plan);
    // Staging: the new version runs in the idle colour (green) everywhere, traffic still on blue.
    for (const r of order) {
      const topo = planTopology(config, updates[0].state).regions.find((x) => x.region === r);
      expect(topo?.app.selectorColor).toBe("blue");
      expect(topo?.app.servingVersion).toBe("1.0.0");
      expect(topo?.app.slots).toEqual([
        { color: "blue", version: "1.0.0", replicas: config.app.replicas },
        { color: "green", version: "2.0.0", replicas: config.app.replicas },
      ]);
    }
    // Switch i: regions up to i serve green, the rest still blue, the old colour still running.
    order.forEach((_, i) => {
      const s = updates[i + 1].state;
      order.forEach((r, j) => {
        expect(s.regions[r].activeColor).toBe(j <= i ? "green" : "blue");
        expect(s.regions[r].slots.blue?.replicas).toBe(config.app.replicas);
      });
    });
    // Gate after staging and after each switch.
    const gates = plan.steps
      .filter((s) => s.kind === "healthGate")
      .map((g) => (g.kind === "healthGate" ? g.regions : []));
    expect(gates).toEqual([config.regions.map((r) => r.region), order, ...order.map((r) => [r])]);

    // The old colour is kept for scaleDownDelaySeconds, then scaled to 0.
    const waitAt = plan.steps.findIndex((s) => s.kind === "wait");
    expect(plan.steps[waitAt]).toMatchObject({ kind: "wait", seconds: 900 });
    expect(plan.steps.slice(waitAt + 1).map((s) => s.kind)).toEqual([
      "safetyGate",
      "patchState",
      "stackUpdate",
    ]);
    // Every switch, and the scale-down, waits for every serving region to be healthy first.
    expect(plan.steps.filter((s) => s.kind === "safetyGate").map((s) => s.id)).toEqual([
      ...order.map((r) => `switch-${r}/safety`),
      "scale-down/safety",
    ]);

    const final = applyPatches(state, plan.steps);
    for (const r of order) {
      expect(final.regions[r]).toMatchObject({
        activeColor: "green",
        version: "2.0.0",
        releaseStatus: "deployed",
      });
      expect(final.regions[r].slots).toEqual({
        green: { version: "2.0.0", replicas: config.app.replicas },
        blue: { version: "1.0.0", replicas: 0 },
      });
      expect(servingVersion(final, r)).toBe("2.0.0");
    }

    // Rollback is a switch back: restore every region to its before state.
    expect(plan.compensation).toEqual([expect.objectContaining({ kind: "restore", regions: order })]);
  });

  it("deploys into whichever colour is idle, per region", () => {
    const config = sampleConfig({ regions: 2 });
    const base = freshState(config);
    const state = {
      ...base,
      regions: {
        ...base.regions,
        "us-west-2": {
          ...base.regions["us-west-2"],
          activeColor: "green" as const,
          slots: { green: { version: "1.0.0", replicas: 3 }, blue: { version: "0.9.0", replicas: 0 } },
        },
      },
    };
    const plan = mustPlan(config, state, "2.0.0", { strategy: "blue-green" });
    const final = applyPatches(state, plan.steps);
    expect(final.regions["us-west-2"].activeColor).toBe("blue");
    expect(final.regions["us-west-2"].slots).toEqual({
      blue: { version: "2.0.0", replicas: 3 },
      green: { version: "1.0.0", replicas: 0 },
    });
    expect(final.regions["us-east-1"].activeColor).toBe("green");
  });

  it("has no wait when scaleDownDelaySeconds is 0", () => {
    const config = sampleConfig({ regions: 2, release: { scaleDownDelaySeconds: 0 } });
    const plan = mustPlan(config, null, "2.0.0", { strategy: "blue-green" });
    expect(plan.steps.some((s) => s.kind === "wait")).toBe(false);
  });
});
