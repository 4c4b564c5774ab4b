import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { type CliIo, writeJson } from "../cliIo";
import { type DrillRun, runDrill } from "../drill/runner";
import { SHIPPED_DRILLS, loadScenario, loadScenarioDir } from "../drill/scenarioFiles";
import { summaryRow, summaryTable, timelineText } from "../drill/terminalReport";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../errors";
import { loadModule } from "./loadModule";

/** The HTML report, loaded only when a run writes one: a terminal-only drill starts without it. */
const htmlReport = (): Promise<typeof import("../drill/htmlReport")> =>
  loadModule("../drill/htmlReport", () => import("../drill/htmlReport"));

interface DrillFlags {
  readonly scenario?: string;
  readonly all?: boolean;
  readonly dir?: string;
  readonly seed: string;
  readonly json?: boolean;
  readonly html?: string;
  readonly htmlDir: string;
}

function writeFile(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

const verdict = (ok: boolean): string => (ok ? "passed" : "failed");

const passed = (run: DrillRun): boolean =>
  run.report.invariantViolations.length === 0 && run.report.expectationFailures.length === 0;

/**
 * `regionctl drill`: the controller against a simulated cloud on a virtual clock. Exit 0 when every
 * invariant held and the scenario's expectations were met, 1 otherwise, 2 for a bad scenario.
 */
export function registerDrill(program: Command, io: CliIo): void {
  program
    .command("drill")
    .description("rehearse failures and releases against a simulated cloud: RTO, RPO and safety-rule checks")
    .option("--scenario <file>", "run one scenario file")
    .option("--all", "run every scenario in the drills folder and print the summary table")
    .option("--dir <dir>", "scenario folder for --all (default: the shipped drills/)")
    .option("--seed <n>", "seed of the simulation's randomness", "1")
    .option("--json", "print the report as JSON on stdout (the timeline goes to stderr)")
    .option("--html <file>", "write the HTML report (with --scenario)")
    .option("--html-dir <dir>", "folder for the HTML reports of --all", "out")
    .action(async (flags: DrillFlags) => {
      const problems: string[] = [];
      if ((flags.scenario === undefined) === (flags.all !== true))
        problems.push("give exactly one of --scenario FILE or --all");
      if (!/^\d+$/.test(flags.seed)) problems.push(`--seed must be a whole number, got ${flags.seed}`);
      if (flags.all === true && flags.html !== undefined)
        problems.push("--html goes with --scenario; --all writes into --html-dir");
      if (flags.scenario !== undefined && flags.dir !== undefined) problems.push("--dir goes with --all");
      if (problems.length > 0) throw new UsageError("invalid drill flags:", problems);
      const seed = Number(flags.seed);
      const human = (line: string): void => (flags.json === true ? io.err(line) : io.out(line));

      if (flags.scenario !== undefined) {
        const scenario = loadScenario(flags.scenario);
        const run = await runDrill(scenario, { seed });
        for (const line of timelineText(run.report)) human(line);
        if (flags.html !== undefined) {
          const { drillHtml } = await htmlReport();
          writeFile(flags.html, drillHtml(run.report, run.segments, { description: scenario.description }));
          human(`HTML report: ${flags.html}`);
        }
        io.exitCode = passed(run) ? EXIT_OK : EXIT_FAILED;
        if (flags.json === true)
          writeJson(
            io,
            { command: "drill", outcome: verdict(passed(run)), exitCode: io.exitCode },
            { ...run.report },
          );
        return;
      }

      const { drillHtml, indexHtml } = await htmlReport();
      const dir = flags.dir ?? SHIPPED_DRILLS;
      const scenarios = loadScenarioDir(dir);
      const runs: DrillRun[] = [];
      const entries: { report: DrillRun["report"]; file: string; description?: string }[] = [];
      for (const { scenario } of scenarios) {
        const run = await runDrill(scenario, { seed });
        runs.push(run);
        entries.push({
          report: run.report,
          file: `${scenario.name}.html`,
          description: scenario.description,
        });
      }
      entries.forEach((e, i) => {
        const nav = { index: "index.html", previous: entries[i - 1]?.file, next: entries[i + 1]?.file };
        writeFile(
          path.join(flags.htmlDir, e.file),
          drillHtml(runs[i].report, runs[i].segments, { description: e.description, nav }),
        );
      });
      writeFile(path.join(flags.htmlDir, "index.html"), indexHtml(entries));
      for (const line of summaryTable(runs.map((r) => summaryRow(r.report)))) human(line);
      human("");
      human(`HTML reports: ${path.join(flags.htmlDir, "index.html")} (one page per scenario beside it)`);
      for (const run of runs.filter((r) => !passed(r))) {
        for (const v of run.report.invariantViolations)
          human(`${run.report.scenario}: ${v.rule}: ${v.message}`);
        for (const f of run.report.expectationFailures) human(`${run.report.scenario}: expected: ${f}`);
      }
      io.exitCode = runs.every(passed) ? EXIT_OK : EXIT_FAILED;
      if (flags.json === true)
        writeJson(
          io,
          { command: "drill", outcome: verdict(runs.every(passed)), exitCode: io.exitCode },
          { scenarios: runs.map((r) => r.report) },
        );
    });
}
