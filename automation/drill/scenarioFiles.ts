import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { packageRoot } from "../packageRoot";
import { type Scenario, parseScenarioText } from "./scenario";

/** The scenarios shipped with regionctl, whatever the working directory. */
export const SHIPPED_DRILLS = path.join(packageRoot(), "drills");

/** Reads and validates one scenario file; every problem is listed, with its path, in a UsageError. */
export function loadScenario(file: string): Scenario {
  if (!existsSync(file)) throw new UsageError(`scenario file ${file} does not exist`);
  const result = parseScenarioText(readFileSync(file, "utf8"), file);
  if (!result.ok) {
    throw new UsageError(
      `scenario ${file} is invalid (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}):`,
      result.problems.map((p) => `${p.path}: ${p.message}`),
    );
  }
  return result.scenario;
}

/** Every `*.yaml` scenario in a folder, by file name; all problems of all files at once. */
export function loadScenarioDir(dir: string): { file: string; scenario: Scenario }[] {
  if (!existsSync(dir)) throw new UsageError(`scenario folder ${dir} does not exist`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  if (files.length === 0) throw new UsageError(`no *.yaml scenarios in ${dir}`);
  const out: { file: string; scenario: Scenario }[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const full = path.join(dir, f);
    try {
      out.push({ file: full, scenario: loadScenario(full) });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(
        ...(err.problems.length > 0 ? err.problems.map((p) => `${f}: ${p}`) : [`${f}: ${err.message}`]),
      );
    }
  }
  if (problems.length > 0) throw new UsageError(`invalid scenarios in ${dir}:`, problems);
  return out;
}
