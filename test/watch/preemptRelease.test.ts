import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

const INTERVAL_SECONDS = 10;

describe.each(["outage-during-writer-wave", "outage-during-writer-switch"])(
  "%s: the failover preempts a release another process runs",
  (name) => {
    const run = runDrill(loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`)), { seed: 1 });

    it("meets its expectations and holds every invariant", async () => {
      const { report } = await run;
      expect(report.invariantViolations).toEqual([]);
      expect(report.expectationFailures).toEqual([]);
    });

    it("starts the failover within one watcher tick of the verdict on the writer", async () => {
      const { report } = await run;
      const verdict = report.timeline.find(
        (e) => e.kind === "health-unhealthy" && e.message.includes("us-east-1"),
      );
      const failover = report.timeline.find(
        (e) => e.kind === "operation-started" && e.message.startsWith("failover "),
      );
      expect(verdict).toBeDefined();
      expect(failover).toBeDefined();
      expect(Math.abs((failover?.atSeconds ?? 0) - (verdict?.atSeconds ?? 0))).toBeLessThanOrEqual(
        INTERVAL_SECONDS,
      );
    });

    it("ends the release as aborted by the preemption, with no step after it and no rollback step", async () => {
      const { report } = await run;
      const ended = report.timeline.find(
        (e) => e.kind === "operation-finished" && e.message.startsWith("deploy "),
      );
      expect(ended?.message).toMatch(/aborted: preempted by .*writer us-east-1 is unhealthy/);
      const deploySteps = report.timeline.filter(
        (e) => e.kind === "step-finished" && e.message.startsWith("deploy-"),
      );
      expect(deploySteps.every((e) => e.atSeconds <= (ended?.atSeconds ?? 0))).toBe(true);
      expect(deploySteps.some((e) => e.message.includes(": compensation/"))).toBe(false);
    });

    it("leaves every healthy region on the old version once the failover's stack update ran", async () => {
      const { report } = await run;
      expect(report.regions["us-west-2"]?.version).toBe("1.0.0");
      expect(report.regions["eu-west-1"]?.version).toBe("1.0.0");
    });
  },
);
