import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { drillHtml } from "../automation/drill/htmlReport";
import { runDrill } from "../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../automation/drill/scenarioFiles";
import { launchChromium } from "./chromium";

/**
 * Remakes the README's screenshot, docs/img/drill-report.png: a shipped drill's HTML page in
 * headless Chromium at desktop width, from the top of the page to the bottom of the chart.
 *
 *   node bin/run-ts.js scripts/report-screenshot.ts [scenario-name]
 */
async function main(): Promise<void> {
  const name = process.argv[2] ?? "outage-during-blue-green";
  const scenario = loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`));
  const run = await runDrill(scenario, { seed: 1 });
  const dir = mkdtempSync(path.join(tmpdir(), "regionctl-shot-"));
  const page = path.join(dir, `${name}.html`);
  writeFileSync(page, drillHtml(run.report, run.segments, { description: scenario.description }));
  const context = await launchChromium(path.join(dir, "profile"));
  try {
    const tab = await context.newPage();
    await tab.setViewportSize({ width: 1200, height: 900 });
    await tab.goto(`file://${page}`);
    const chart = await tab.locator("svg.chart").boundingBox();
    if (chart === null) throw new Error("the page has no chart");
    const out = path.resolve(__dirname, "../docs/img/drill-report.png");
    await tab.screenshot({
      path: out,
      clip: { x: 0, y: 0, width: 1200, height: Math.ceil(chart.y + chart.height + 8) },
    });
    console.error(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`report-screenshot: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
