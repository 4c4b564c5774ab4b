import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Monitor } from "../../automation/drill/monitor";
import { runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

describe("drill determinism", () => {
  const scenario = loadScenario(path.join(SHIPPED_DRILLS, "primary-outage-auto-failover.yaml"));

  it("gives byte-identical JSON for the same scenario and seed", async () => {
    const a = JSON.stringify((await runDrill(scenario, { seed: 7 })).report);
    const b = JSON.stringify((await runDrill(scenario, { seed: 7 })).report);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(1000);
  });

  it("draws differently for another seed (replication lag, probe noise)", async () => {
    const a = (await runDrill(scenario, { seed: 7 })).report;
    const b = (await runDrill(scenario, { seed: 8 })).report;
    expect(a.incidents[0].rpoSeconds).not.toBe(b.incidents[0].rpoSeconds);
  });
});

describe("drill speed-ups change nothing in the report", () => {
  const names = [
    "primary-outage-auto-failover.yaml",
    "flapping-secondary.yaml",
    "outage-during-blue-green.yaml",
    "slow-build-canary-latency.yaml",
  ];

  it("gives the same JSON when the monitor samples every second in full as when it skips the quiet ones", async () => {
    const quiet = Monitor.prototype as unknown as { quietSecond: (...args: unknown[]) => boolean };
    for (const name of names) {
      const scenario = loadScenario(path.join(SHIPPED_DRILLS, name));
      const fast = JSON.stringify((await runDrill(scenario, { seed: 3 })).report);
      const spy = vi.spyOn(quiet, "quietSecond").mockReturnValue(false);
      try {
        const full = JSON.stringify((await runDrill(scenario, { seed: 3 })).report);
        expect(spy).toHaveBeenCalled();
        expect(fast, name).toBe(full);
      } finally {
        spy.mockRestore();
      }
    }
  });
});
