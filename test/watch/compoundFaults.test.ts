import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { controllerDetectionSeconds, promotionSeconds } from "../../automation/drill/floor";
import { runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

/** Compound faults, each a shipped drill: the controller must do what an SRE expects. */
const scenarioNamed = (name: string) => loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`));
const drill = (name: string) => runDrill(scenarioNamed(name), { seed: 1 });

describe("compound faults", () => {
  it("a failover target that dies mid-promotion is abandoned and the writer moves to a live region", async () => {
    const { report } = await drill("target-dies-mid-failover");
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(report.finalWriter).toBe("eu-west-1");
    // A live writer within the writer path's floor (detection + promotion) plus one detection
    // interval after the target died. The incident itself carries no floor: it struck while a
    // failover was already moving the writer, so part of its impact is inherited.
    const s = scenarioNamed("target-dies-mid-failover");
    const second = report.incidents.find((i) => i.region === "us-west-2");
    const writerFloor = controllerDetectionSeconds(s) + promotionSeconds(s);
    const detectionSeconds = s.healthCheck.intervalSeconds * s.healthCheck.failureThreshold;
    expect(second?.rtoSeconds).not.toBeNull();
    expect(second?.rtoSeconds ?? Infinity).toBeLessThanOrEqual(writerFloor + detectionSeconds);
  }, 120_000);

  it("a second region failing seconds after the writer is left out, and the failover succeeds", async () => {
    const { report } = await drill("second-region-fails-during-failover");
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(report.operations[0]).toMatchObject({ kind: "failover", outcome: "succeeded" });
    expect(report.finalWriter).toBe("us-west-2");
  }, 120_000);

  it("a degraded secondary is not promoted while a healthy one exists", async () => {
    const { report } = await drill("degraded-secondary-not-promoted");
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(report.finalWriter).toBe("eu-west-1");
  }, 120_000);

  it("a repair yields to a failed writer: the failover starts in the same tick and skips the region being rebuilt", async () => {
    const { report } = await drill("outage-during-repair");
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual([
      "repair aborted",
      "failover succeeded",
      "repair succeeded",
    ]);
    const verdict = report.timeline.find((e) => e.kind === "health-unhealthy" && /us-east-1/.test(e.message));
    const started = report.timeline.find((e) => e.kind === "operation-started" && /failover/.test(e.message));
    expect(started?.atSeconds).toBe(verdict?.atSeconds);
    expect(report.finalWriter).toBe("eu-west-1");
  }, 120_000);
});
