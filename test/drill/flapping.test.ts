import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDrill } from "../../automation/drill/runner";
import type { Scenario } from "../../automation/drill/scenario";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

/**
 * A secondary flapping at any speed, with latency routing (every region serves, so clients reach
 * whatever Route 53 still answers with): the watcher holds it out of traffic at its first unhealthy
 * verdict or from its transitions, keeps it out while it flaps, and readmits it once stable. Faster
 * than the recovery threshold (80 s) the verdict never turns healthy, and faster than the failure
 * threshold (40 s) it never fails three probes in a row: the probes' window turns it unhealthy.
 */
const base = loadScenario(path.join(SHIPPED_DRILLS, "flapping-secondary.yaml"));

function withPeriod(periodSeconds: number): Scenario {
  return {
    ...base,
    name: `flapping-${periodSeconds}`,
    events: base.events.map((e) => (e.kind === "flap" ? { ...e, periodSeconds } : e)),
  };
}

describe("drill: a flapping secondary", () => {
  it.each([40, 80, 120, 180])(
    "flapping every %i s is held out within the RTO floor, then readmitted",
    async (period) => {
      const { report } = await runDrill(withPeriod(period), { seed: 1 });
      expect(report.invariantViolations).toEqual([]);
      const flap = report.incidents.find((i) => i.kind === "flap");
      // No floor is below the first down half's: Route 53 turns on it (28.1 s), unless the region
      // is back first. Faster flaps hurt again in each down half until the probes' window shows
      // them, so their floor is later.
      const firstHalf = Math.min(20 + 13 * 0.625, period / 2) + 60;
      expect(flap?.floorSeconds as number).toBeGreaterThanOrEqual(firstHalf);
      if (period >= 80) expect(flap?.floorSeconds as number).toBeLessThan(firstHalf + 1);
      expect(flap?.rtoSeconds).not.toBeNull();
      // Before hold-out existed: 1209 s at 80 s, 1240 s at 40 s.
      expect(flap?.rtoSeconds as number, `period ${period}`).toBeLessThanOrEqual(
        1.05 * (flap?.floorSeconds as number),
      );
      const ops = report.operations.map((o) => `${o.id.split("-")[0]} ${o.outcome}`);
      expect(ops[0]).toBe("holdout succeeded");
      expect(ops.at(-1)).toBe("readmit succeeded");
      expect(report.operations.some((o) => o.kind === "failover")).toBe(false);
      // Out of traffic while it flapped; serving again at the end.
      const drained = report.timeline.find((e) => e.kind === "region-drained");
      expect(drained?.region).toBe("eu-west-1");
      expect(drained?.atSeconds as number).toBeLessThan(300 + 180);
      const readmitted = report.timeline.find((e) => e.kind === "region-readmitted");
      expect(readmitted?.atSeconds as number).toBeGreaterThan(1500);
      expect(report.regions["eu-west-1"].serving).toBe(true);
    },
  );
});
