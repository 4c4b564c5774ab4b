import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { type DrillRun, runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

/** The first analysis a bad build meets, per strategy: nothing after it may run the build. */
const FIRST_ANALYSIS = {
  canary: "canary-10/analysis",
  rolling: "wave-1/analysis",
  "blue-green": "switch-us-west-2/analysis",
} as const;

function drill(name: string, release: Record<string, unknown> = {}): Promise<DrillRun> {
  const scenario = loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`));
  return runDrill({ ...scenario, release: { ...scenario.release, ...release } }, { seed: 1 });
}

function expectRolledBackEverywhere(run: DrillRun, firstAnalysis: string, why: RegExp): void {
  const { report } = run;
  expect(report.invariantViolations).toEqual([]);
  expect(report.expectationFailures).toEqual([]);
  const deploy = report.operations.find((o) => o.kind === "deploy");
  expect(deploy?.outcome).toBe("rolledback");
  expect(deploy?.reason).toContain(`step ${firstAnalysis} failed`);
  expect(deploy?.reason).toMatch(why);
  for (const [region, r] of Object.entries(report.regions)) {
    expect({ region, version: r.version }).toEqual({ region, version: "1.0.0" });
  }
  expect(report.operations.some((o) => o.kind === "failover")).toBe(false);
}

describe("gates in the drill", () => {
  it("a 50 % error build in a rolling deploy with weighted routing is rolled back after its first wave", async () => {
    const run = await drill("half-errors-rolling-weighted");
    expectRolledBackEverywhere(run, "wave-1/analysis", /error rate limit/);
  });

  const strategies = ["canary", "rolling", "blue-green"] as const;
  const routings = ["failover", "latency", "weighted"] as const;
  const matrix = strategies.flatMap((strategy) => routings.map((routing) => ({ strategy, routing })));

  it.each(matrix)(
    "a 5.8 s build is rolled back: $strategy with $routing routing",
    async ({ strategy, routing }) => {
      const run = await drill(`slow-build-${strategy}-${routing}`);
      expectRolledBackEverywhere(run, FIRST_ANALYSIS[strategy], /p95 latency limit/);
    },
  );

  it("a build as good as the old one ships to every region (no false rollback)", async () => {
    const { report } = await drill("good-build-ships-rolling-weighted");
    expect(report.expectationFailures).toEqual([]);
    expect(report.operations.find((o) => o.kind === "deploy")?.outcome).toBe("succeeded");
    expect(Object.values(report.regions).map((r) => r.version)).toEqual(["1.1.0", "1.1.0", "1.1.0"]);
  });

  // The gates are what stop these builds: with their limits out of reach, the same builds ship.
  it("with the latency limit out of reach, the 5.8 s build ships everywhere", async () => {
    const { report } = await drill("slow-build-rolling-weighted", { rollbackLatencyMs: 1_000_000 });
    expect(report.operations.find((o) => o.kind === "deploy")?.outcome).toBe("succeeded");
    expect(Object.values(report.regions).every((r) => r.version === "1.1.0")).toBe(true);
    expect(report.expectationFailures).not.toEqual([]);
  });

  it("with the error limit out of reach, the 50 % build passes the first wave's analysis", async () => {
    const { report } = await drill("half-errors-rolling-weighted", { rollbackErrorRate: 0.99 });
    const deploy = report.operations.find((o) => o.kind === "deploy");
    expect(deploy?.reason ?? "").not.toContain("wave-1/analysis");
    expect(report.timeline.some((e) => /wave-1\/analysis ok/.test(e.message))).toBe(true);
  });
});
