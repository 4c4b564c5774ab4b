import { describe, expect, it } from "vitest";
import { randomScenario } from "../../automation/drill/randomScenario";
import { runDrill } from "../../automation/drill/runner";

const SEEDS = 200;

describe("drill property: random fault schedules", () => {
  it(`holds every invariant over ${SEEDS} seeds of outages, flaps, degradations, API errors and stack failures during promotions`, async () => {
    const failures: string[] = [];
    const kinds = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const scenario = randomScenario(seed, 1500);
      for (const e of scenario.events) kinds.add(e.kind);
      const { report } = await runDrill(scenario, { seed });
      for (const v of report.invariantViolations) {
        failures.push(`seed ${seed} at ${v.atSeconds} s: ${v.rule}: ${v.message}`);
      }
    }
    // The generator really covers every kind of fault the property is about.
    for (const k of [
      "deploy",
      "outage",
      "flap",
      "degrade",
      "apiErrors",
      "stackUpdateFailure",
      "replicationBreak",
    ]) {
      expect(kinds).toContain(k);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
