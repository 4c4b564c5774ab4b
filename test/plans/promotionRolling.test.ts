import { describe, expect, it } from "vitest";
import { sampleConfig } from "../support/sampleConfig";
import {
  applyPatches,
  freshState,
  mustPlan,
  servingVersion,
  statesAtUpdates,
  updateTargets,
} from "./promotionFixtures";

describe("rolling promotion planner", () => {
  const cases = [
    { n: 2, maxParallel: 1, priorities: {}, waves: [["us-west-2"], ["us-east-1"]] },
    { n: 3, maxParallel: 1, priorities: {}, waves: [["us-west-2"], ["eu-west-1"], ["us-east-1"]] },
    {
      n: 6,
      maxParallel: 2,
      priorities: {},
      waves: [
        ["us-west-2", "eu-west-1"],
        ["eu-central-1", "ap-southeast-2"],
        ["ap-northeast-1"],
        ["us-east-1"],
      ],
    },
    {
      n: 6,
      maxParallel: 3,
      priorities: { "eu-west-1": 5, "us-west-2": 3 },
      waves: [
        ["eu-central-1", "ap-southeast-2", "ap-northeast-1"],
        ["us-west-2", "eu-west-1"],
        ["us-east-1"],
      ],
    },
  ];

  it.each(cases)(
    "$n regions, maxParallel $maxParallel, priorities $priorities",
    ({ n, maxParallel, priorities, waves }) => {
      const config = sampleConfig({ regions: n, release: { maxParallel }, priorities });
      const state = freshState(config);
      const plan = mustPlan(config, state, "2.0.0", { strategy: "rolling" });

      expect(plan.kind).toBe("deploy");
      expect(updateTargets(plan)).toEqual(waves);
      // Writer last and alone.
      expect(updateTargets(plan).at(-1)).toEqual([config.writer]);
      expect(plan.regions).toEqual(waves.flat());

      // Every wave: patch, update, gate on exactly the wave, analysis (one region, or several at
      // once), mark deployed; a preflight gate first, and before every later wave a safety gate
      // over every serving region.
      expect(plan.steps[0]).toMatchObject({ kind: "healthGate", id: "preflight/health", consecutive: 1 });
      expect(plan.steps[0].kind === "healthGate" && plan.steps[0].regions).toHaveLength(n);
      expect(plan.steps.slice(1).map((s) => s.kind)).toEqual(
        waves.flatMap((wave, i) => [
          ...(i === 0 ? [] : ["safetyGate"]),
          "patchState",
          "stackUpdate",
          "healthGate",
          wave.length === 1 ? "analysis" : "parallel",
          "patchState",
        ]),
      );
      // Each wave is judged against the regions not moved yet; the last against the limits alone.
      const waveAnalyses = plan.steps.filter((s) => s.id.endsWith("/analysis"));
      waveAnalyses.forEach((step, i) => {
        const analyses = step.kind === "parallel" ? step.branches.flat() : [step];
        const later = waves.slice(i + 1).flat();
        expect(analyses.map((a) => (a.kind === "analysis" ? a.canaryRegion : null))).toEqual(waves[i]);
        for (const a of analyses) {
          expect(a).toMatchObject({
            kind: "analysis",
            maxErrorRate: config.release.rollbackErrorRate,
            maxLatencyMs: config.release.rollbackLatencyMs,
            bakeSeconds: config.release.bakeSeconds,
          });
          expect(a.kind === "analysis" && a.canaryColor).toBeUndefined();
          expect(a.kind === "analysis" && [...a.baselineRegions].sort()).toEqual([...later].sort());
        }
      });
      const safety = plan.steps.filter((s) => s.kind === "safetyGate");
      expect(safety.map((s) => s.id)).toEqual(waves.slice(1).map((_, i) => `wave-${i + 2}/safety`));
      for (const g of safety) {
        expect(g).toMatchObject({
          regions: config.regions.map((r) => r.region),
          failureThreshold: config.dns.healthCheck.failureThreshold,
          timeoutSeconds: config.release.healthTimeoutSeconds,
        });
      }
      const gates = plan.steps.slice(1).filter((s) => s.kind === "healthGate");
      expect(gates.map((g) => (g.kind === "healthGate" ? g.regions : []))).toEqual(waves);
      for (const g of gates) {
        expect(g).toMatchObject({ consecutive: config.release.healthyThreshold, timeoutSeconds: 300 });
      }

      // Each update renders only its own wave on the new version, earlier waves already moved.
      statesAtUpdates(state, plan).forEach(({ state: s }, i) => {
        const moved = waves.slice(0, i + 1).flat();
        for (const r of config.regions.map((x) => x.region)) {
          expect(servingVersion(s, r)).toBe(moved.includes(r) ? "2.0.0" : "1.0.0");
        }
      });

      // A successful run leaves every region on the version, in its same colour, marked deployed.
      const final = applyPatches(state, plan.steps);
      for (const r of config.regions.map((x) => x.region)) {
        expect(final.regions[r]).toMatchObject({
          version: "2.0.0",
          activeColor: "blue",
          releaseStatus: "deployed",
        });
        expect(final.regions[r].slots.blue).toEqual({ version: "2.0.0", replicas: config.app.replicas });
      }

      // Compensation: restore every region the plan may move.
      expect(plan.compensation).toEqual([
        expect.objectContaining({ kind: "restore", id: "rollback/restore", regions: waves.flat() }),
      ]);
    },
  );

  it("leaves out regions that already serve the version", () => {
    const config = sampleConfig({ regions: 3 });
    const state = freshState(config);
    const half = applyPatches(
      state,
      mustPlan(config, state, "2.0.0", { strategy: "rolling" }).steps.slice(0, 5),
    );
    expect(servingVersion(half, "us-west-2")).toBe("2.0.0");
    const plan = mustPlan(config, { ...half, operation: null }, "2.0.0", { strategy: "rolling" });
    expect(updateTargets(plan)).toEqual([["eu-west-1"], ["us-east-1"]]);
    expect(plan.compensation[0]).toMatchObject({ regions: ["eu-west-1", "us-east-1"] });
  });

  it("follows a moved writer: the current writer goes last", () => {
    const config = sampleConfig({ regions: 3 });
    const state = { ...freshState(config), writer: "us-west-2" };
    expect(updateTargets(mustPlan(config, state, "2.0.0", { strategy: "rolling" }))).toEqual([
      ["us-east-1"],
      ["eu-west-1"],
      ["us-west-2"],
    ]);
  });
});
