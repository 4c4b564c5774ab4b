import * as path from "node:path";
import { type DrillRun, runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

const runs = new Map<string, Promise<DrillRun>>();

/** A shipped drill run once with seed 1, however many tests of a file read it. */
export function shippedDrill(name: string): Promise<DrillRun> {
  let run = runs.get(name);
  if (run === undefined) {
    run = runDrill(loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`)), { seed: 1 });
    runs.set(name, run);
  }
  return run;
}
