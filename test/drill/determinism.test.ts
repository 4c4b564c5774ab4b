import * as path from "node:path";
import { describe, expect, it } from "vitest";
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
