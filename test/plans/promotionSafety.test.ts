import { describe, expect, it } from "vitest";
import { planPromotion } from "../../automation/plans/promotion";
import { isRefusal } from "../../automation/plans/steps";
import type { OperationalState, RegionState } from "../../components/operationalState";
import { sampleConfig } from "../support/sampleConfig";
import { applyPatches, freshState, mustPlan } from "./promotionFixtures";

const config = sampleConfig({ regions: 3 });

function withRegion(state: OperationalState, region: string, change: Partial<RegionState>): OperationalState {
  return { ...state, regions: { ...state.regions, [region]: { ...state.regions[region], ...change } } };
}

describe("promotion safety rules", () => {
  const base = freshState(config);
  const inFlight: OperationalState = {
    ...base,
    operation: {
      id: "deploy-1.5.0-r3",
      kind: "deploy",
      plan: {},
      before: base.regions,
      writerBefore: base.writer,
      phase: "paused",
      cursor: 4,
      steps: [],
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: null,
      reason: "canary inconclusive",
    },
  };

  it.each([
    ["an operation in flight", inFlight, "one-operation-at-a-time", /deploy-1\.5\.0-r3.*paused/],
    [
      "a drained region",
      withRegion(base, "eu-west-1", { drained: true, note: "failing health checks" }),
      "no-promotion-while-failing",
      /eu-west-1 \(drained: failing health checks\)/,
    ],
    [
      "an excluded region",
      withRegion(base, "us-west-2", { drained: true, excluded: true }),
      "no-promotion-while-failing",
      /us-west-2 \(drained, excluded\)/,
    ],
    [
      "a failed rollback",
      withRegion(base, "us-west-2", { releaseStatus: "rollback_failed" }),
      "no-promotion-while-failing",
      /rollback failed/,
    ],
    ["the version already everywhere", base, "already-deployed", /1\.0\.0/],
  ])("refuses with %s", (_name, state, rule, reason) => {
    const result = planPromotion(config, state, rule === "already-deployed" ? "1.0.0" : "2.0.0");
    expect(isRefusal(result)).toBe(true);
    if (isRefusal(result)) {
      expect(result.rule).toBe(rule);
      expect(result.reason).toMatch(reason);
    }
  });

  it("does not refuse on a past failed or rolled-back release", () => {
    const state = withRegion(withRegion(base, "us-west-2", { releaseStatus: "rolledback" }), "eu-west-1", {
      releaseStatus: "failed",
    });
    expect(isRefusal(planPromotion(config, state, "2.0.0"))).toBe(false);
  });

  it("plans from the config alone when nothing is stored yet", () => {
    const plan = mustPlan(config, null, "2.0.0");
    expect(plan.id).toBe("deploy-2.0.0-r0");
    expect(plan.summary).toMatch(/^canary 2\.0\.0/);
  });

  it("is pure: the same input gives the same plan, and the input is not changed", () => {
    const state = freshState(config);
    const copy = structuredClone(state);
    const a = mustPlan(config, state, "2.0.0", { strategy: "blue-green", id: "x" });
    const b = mustPlan(config, state, "2.0.0", { strategy: "blue-green", id: "x" });
    expect(a).toEqual(b);
    expect(state).toEqual(copy);
  });

  it("every plan's step ids are unique, and a finished plan leaves nothing to do", () => {
    for (const strategy of ["rolling", "blue-green", "canary"] as const) {
      const state = freshState(config);
      const plan = mustPlan(config, state, "2.0.0", { strategy });
      const ids = [...plan.steps, ...plan.compensation].map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      const after = applyPatches(state, plan.steps);
      const again = planPromotion(config, after, "2.0.0", { strategy });
      expect(isRefusal(again) && again.rule).toBe("already-deployed");
    }
  });

  it("no promotion while a region is failing: every move after the first waits for all serving regions", () => {
    for (const n of [2, 3, 6]) {
      const cfg = sampleConfig({ regions: n, release: { maxParallel: 2 } });
      const all = cfg.regions.map((r) => r.region);
      for (const strategy of ["rolling", "blue-green", "canary"] as const) {
        const plan = mustPlan(cfg, freshState(cfg), "2.0.0", { strategy });
        // Between any two stack updates of the plan there is a safety gate, and it comes before the
        // patch the later update renders: nothing is decided for a region while another is failing.
        let seenUpdate = false;
        let gated = true;
        let patchedSinceGate = false;
        for (const step of plan.steps) {
          if (step.kind === "safetyGate") {
            expect(step.regions, `${strategy} ${n}: ${step.id}`).toEqual(all);
            gated = true;
            patchedSinceGate = false;
          } else if (step.kind === "patchState" && step.id.endsWith("/patch")) {
            patchedSinceGate = true;
          } else if (step.kind === "stackUpdate") {
            if (seenUpdate) expect(gated && patchedSinceGate, `${strategy} ${n}: ${step.id}`).toBe(true);
            seenUpdate = true;
            gated = false;
          }
        }
      }
    }
  });
});
