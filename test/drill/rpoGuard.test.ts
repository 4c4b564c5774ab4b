import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";
import type { Plan, Step } from "../../automation/plans/steps";

/**
 * The managed-RPO guard in a two-region environment: the shipped scenario with the failover as
 * planned (the guard relaxed on the new writer), and the same scenario with a controller variant
 * whose plans never touch the guard.
 */

const scenario = loadScenario(path.join(SHIPPED_DRILLS, "two-region-rpo-guard.yaml"));

const withoutGuardSteps = (steps: readonly Step[]): Step[] =>
  steps
    .filter((s) => s.kind !== "rpoGuard")
    .map((s) =>
      s.kind === "parallel"
        ? { ...s, branches: s.branches.map((b) => withoutGuardSteps(b)).filter((b) => b.length > 0) }
        : s,
    );
const neverRelax = (p: Plan): Plan => ({ ...p, steps: withoutGuardSteps(p.steps) });

const kinds = (timeline: readonly { kind: string }[]): string[] => timeline.map((t) => t.kind);

describe("two regions with a managed-RPO guard", () => {
  it("relaxes the guard on the new writer: writes are accepted after the failover, and the guard is restored once the old region is back", async () => {
    const { report } = await runDrill(scenario);
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(kinds(report.timeline)).not.toContain("db-commits-blocked");
    const guard = report.timeline.filter((t) => t.kind === "db-rpo-guard").map((t) => t.message);
    expect(guard).toEqual([
      "us-west-2's managed-RPO guard set to 2147483647 s",
      "us-west-2's managed-RPO guard set to 20 s",
    ]);
    expect(report.availability.writes).toBeGreaterThan(0.9);
  });

  it("without the relax, the new writer blocks its commits until the old region is back", async () => {
    const relaxed = (await runDrill(scenario)).report;
    const { report } = await runDrill(scenario, { transformPlan: neverRelax });
    expect(kinds(report.timeline)).toContain("db-commits-blocked");
    expect(kinds(report.timeline)).not.toContain("db-rpo-guard");
    // The outage lasts 2100 s of the 3600: most of it without writes.
    expect(report.availability.writes).toBeLessThan(relaxed.availability.writes - 0.3);
    // The checker sees the writer that accepts nothing.
    expect(report.invariantViolations.map((v) => v.rule)).toContain("never-zero-writers");
  });
});
