import { describe, expect, it } from "vitest";
import { type DrillReport, runDrill } from "../../automation/drill/runner";
import { validateScenario } from "../../automation/drill/scenario";
import { unitScenario } from "./unitScenario";

/** A canary release whose analysis cannot read a single metric, so it pauses for a person. */
const PAUSING_CANARY = {
  versions: { "1.0.0": { errorRate: 0.001 }, "1.1.0": { errorRate: 0.002 } },
  release: { strategy: "canary", bakeSeconds: 120, analysisIntervalSeconds: 30 },
  until: 1500,
};
const blindMetrics = ["us-east-1", "us-west-2", "eu-west-1"].map((region) => ({
  at: 60,
  apiErrors: { service: "cloudwatch", region, count: 400 },
}));

function results(report: DrillReport, command: string): string[] {
  return report.timeline
    .filter((t) => t.kind === "command-result" && t.message.startsWith(`${command}:`))
    .map((t) => t.message);
}

describe("drill operator commands", () => {
  it("promote continues a paused release past its pause, and abort then rolls it back", async () => {
    const scenario = unitScenario({
      ...PAUSING_CANARY,
      events: [
        { at: 60, deploy: { version: "1.1.0" } },
        ...blindMetrics,
        { at: 500, promote: {} },
        { at: 1100, abort: {} },
      ],
    });
    const { report } = await runDrill(scenario);
    const steps = report.timeline.filter((t) => t.kind === "step-finished").map((t) => t.message);
    expect(steps.some((m) => m.includes("canary-10/analysis ok") && m.includes("promoted by"))).toBe(true);
    // Past the first pause: the release moves the canary region to its next step.
    expect(steps.some((m) => m.includes("canary-50/update ok"))).toBe(true);
    expect(results(report, "abort")).toEqual([expect.stringContaining("aborted")]);
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual(["deploy aborted"]);
    expect(Object.values(report.regions).map((r) => r.version)).toEqual(["1.0.0", "1.0.0", "1.0.0"]);
    expect(report.invariantViolations).toEqual([]);
  });

  it("promote --full skips every remaining pause, bake and analysis: the release finishes", async () => {
    const scenario = unitScenario({
      ...PAUSING_CANARY,
      events: [
        { at: 60, deploy: { version: "1.1.0" } },
        ...blindMetrics,
        { at: 500, promote: { full: true } },
      ],
    });
    const { report } = await runDrill(scenario);
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual(["deploy succeeded"]);
    expect(Object.values(report.regions).map((r) => r.version)).toEqual(["1.1.0", "1.1.0", "1.1.0"]);
  });

  it("abort rolls back a release while it runs", async () => {
    const scenario = unitScenario({
      versions: { "1.0.0": { errorRate: 0.001 }, "1.1.0": { errorRate: 0.002 } },
      release: { strategy: "rolling", bakeSeconds: 300 },
      events: [
        { at: 60, deploy: { version: "1.1.0" } },
        { at: 200, abort: {} },
      ],
    });
    const { report } = await runDrill(scenario);
    expect(report.operations).toHaveLength(1);
    expect(["aborted", "rolledback"]).toContain(report.operations[0].outcome);
    expect(report.operations[0].finishedAtSeconds).toBeLessThan(400);
    expect(Object.values(report.regions).map((r) => r.version)).toEqual(["1.0.0", "1.0.0", "1.0.0"]);
    expect(report.invariantViolations).toEqual([]);
  });

  it("abort and promote with nothing in flight or paused change nothing and are logged", async () => {
    const quiet = unitScenario({
      events: [
        { at: 100, abort: null },
        { at: 200, promote: null },
      ],
    });
    const { report } = await runDrill(quiet);
    expect(results(report, "abort")).toEqual([
      expect.stringContaining("nothing done: no operation is in flight"),
    ]);
    expect(results(report, "promote")).toEqual([expect.stringContaining("nothing done")]);
    expect(report.operations).toEqual([]);
    expect(report.incidents).toEqual([]);
  });

  it("promote of a release that runs, not paused, is refused and the release carries on", async () => {
    const scenario = unitScenario({
      versions: { "1.0.0": { errorRate: 0.001 }, "1.1.0": { errorRate: 0.002 } },
      release: { strategy: "rolling", bakeSeconds: 300 },
      events: [
        { at: 60, deploy: { version: "1.1.0" } },
        { at: 200, promote: {} },
      ],
      until: 3000,
    });
    const { report } = await runDrill(scenario);
    expect(results(report, "promote")).toEqual([expect.stringContaining("nothing done")]);
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual(["deploy succeeded"]);
  });

  it("validation names every bad field of abort and promote at once", () => {
    const result = validateScenario({
      name: "bad",
      regions: ["us-east-1", "us-west-2"],
      versions: { "1.0.0": { errorRate: 0 } },
      initialVersion: "1.0.0",
      until: 600,
      events: [
        { at: 10, abort: { now: true } },
        { at: 20, promote: { full: "yes" } },
        { at: 30, promote: { fast: true } },
        { at: 40, promote: {}, abort: {} },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(["events[0].abort", "events[1].promote.full", "events[2].promote", "events[3]"]),
    );
    const text = result.ok ? "" : result.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
    expect(text).toContain("now");
    expect(text).toContain("fast");
    expect(text).toContain("one event kind per entry");
  });
});
