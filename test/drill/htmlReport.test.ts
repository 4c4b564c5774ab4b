import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReportView, drillHtml, indexHtml, verdictReasons } from "../../automation/drill/htmlReport";
import { randomScenario } from "../../automation/drill/randomScenario";
import { type DrillRun, runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";
import { chartCollisions, collectErrors, launchChromium } from "./browser";

const SHOTS = path.resolve(__dirname, "../../out/screenshots");
const dir = mkdtempSync(path.join(tmpdir(), "regionctl-html-"));
let context: BrowserContext;

async function drill(name: string): Promise<{ run: DrillRun; description?: string }> {
  const scenario = loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`));
  return { run: await runDrill(scenario, { seed: 1 }), description: scenario.description };
}

function writePage(file: string, html: string): string {
  const full = path.join(dir, file);
  writeFileSync(full, html);
  return `file://${full}`;
}

beforeAll(async () => {
  context = await launchChromium(path.join(dir, "profile"));
});
afterAll(async () => {
  await context.close();
});

describe("HTML drill report in a real browser", () => {
  it.each([
    "primary-outage-auto-failover",
    "api-errors-retried",
    "outage-during-blue-green",
    "bad-canary-rollback",
  ])("%s: verdict on top, shaded RTO windows, operation bars, legend, no label collisions", async (name) => {
    const { run, description } = await drill(name);
    const html = drillHtml(run.report, run.segments, { description, nav: { index: "index.html" } });
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(writePage(`${name}.html`, html));

    // Description and verdict come before the chart.
    const verdict = page.locator("h1 .verdict");
    await expect(verdict.textContent()).resolves.toBe("PASS");
    const chartTop = (await page.locator("svg.chart").boundingBox())?.y ?? 0;
    expect((await page.locator("p.description").boundingBox())?.y).toBeLessThan(chartTop);
    expect((await page.locator("ul.reasons").boundingBox())?.y).toBeLessThan(chartTop);
    await expect(page.locator("nav a[href='index.html']").count()).resolves.toBe(1);

    // One bar per operation, one shaded window per incident with an RTO.
    await expect(page.locator("svg.chart g.op").count()).resolves.toBe(run.report.operations.length);
    const windows = run.report.incidents.filter((i) => i.rtoSeconds === null || i.rtoSeconds > 0).length;
    await expect(page.locator("svg.chart g.rto rect").count()).resolves.toBe(windows);
    for (const bar of await page.locator("svg.chart g.op rect, svg.chart g.rto rect").all()) {
      const box = await bar.boundingBox();
      expect(box?.width).toBeGreaterThan(0);
    }
    // Every version drawn is in the legend.
    const versions = new Set([...run.segments.values()].flatMap((list) => list.map((s) => s.version)));
    const legend = (await page.locator("#versions").textContent()) ?? "";
    for (const v of versions) expect(legend).toContain(v);

    expect(await chartCollisions(page)).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([3, 17, 42, 101])("random fault schedule %i: busy charts keep every label clear", async (seed) => {
    const scenario = randomScenario(seed, 3600);
    const run = await runDrill(scenario, { seed });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(writePage(`random-${seed}.html`, drillHtml(run.report, run.segments)));
    await expect(page.locator("svg.chart g.op").count()).resolves.toBe(run.report.operations.length);
    expect(await chartCollisions(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("eleven regions with long names and a rolling release keep every label clear", async () => {
    const regions = [
      "ap-southeast-2",
      "us-east-1",
      "us-west-2",
      "eu-west-1",
      "eu-central-1",
      "ap-northeast-1",
      "ap-southeast-1",
      "sa-east-1",
      "ca-central-1",
      "eu-north-1",
      "ap-south-1",
    ];
    const file = path.join(dir, "eleven.yaml");
    writeFileSync(
      file,
      readFileSync(path.join(SHIPPED_DRILLS, "outage-during-blue-green.yaml"), "utf8")
        .replace(/^regions: .*$/m, `regions: [${regions.join(", ")}]`)
        .replace(/^writer: .*$/m, "writer: ap-southeast-2")
        .replace(/region: us-east-1/g, "region: ap-southeast-2")
        .replace(/^expect:[\s\S]*$/m, ""),
    );
    const run = await runDrill(loadScenario(file), { seed: 1 });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(writePage("eleven.html", drillHtml(run.report, run.segments)));
    await expect(page.locator("svg.chart g.lane").count()).resolves.toBe(11);
    expect(await chartCollisions(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "eleven-regions.png"), fullPage: true });
    await page.close();
  });

  it("shows the outage on the chart: us-east-1 unhealthy, the writer on us-west-2 for a while", async () => {
    const { run } = await drill("primary-outage-auto-failover");
    const page = await context.newPage();
    await page.goto(writePage("outage.html", drillHtml(run.report, run.segments)));
    await expect(page.locator("svg.chart g.lane").count()).resolves.toBe(3);
    const unhealthyWidth = await page
      .locator('svg.chart g.lane[data-region="us-east-1"] rect.unhealthy')
      .evaluateAll((els) => els.reduce((sum, el) => sum + el.getBoundingClientRect().width, 0));
    expect(unhealthyWidth).toBeGreaterThan(50);
    await expect(
      page.locator('svg.chart g.lane[data-region="us-west-2"] rect.writer').count(),
    ).resolves.toBeGreaterThan(0);
    await page.close();
  });

  it("filters the timeline by source and by region without scripts", async () => {
    const { run } = await drill("primary-outage-auto-failover");
    const page = await context.newPage();
    await page.goto(writePage("filter.html", drillHtml(run.report, run.segments)));
    const visible = (selector: string): Promise<number> =>
      page.locator(selector).filter({ visible: true }).count();
    const cloudRows = await visible('#timeline tr[data-source="cloud"]');
    expect(cloudRows).toBeGreaterThan(0);
    await page.locator("#f-src-cloud").uncheck();
    await expect(visible('#timeline tr[data-source="cloud"]')).resolves.toBe(0);
    expect(await visible('#timeline tr[data-source="controller"]')).toBeGreaterThan(0);
    const westRows = await visible('#timeline tr[data-region="us-west-2"]');
    expect(westRows).toBeGreaterThan(0);
    await page.locator("#f-reg-us-west-2").uncheck();
    await expect(visible('#timeline tr[data-region="us-west-2"]')).resolves.toBe(0);
    await page.locator("#f-src-cloud").check();
    expect(await visible('#timeline tr[data-source="cloud"]')).toBeGreaterThan(0);
    await page.close();
  });

  it("marks the moment a person must act, on top, on the chart and in the timeline", async () => {
    const { run } = await drill("primary-outage-manual");
    const page = await context.newPage();
    await page.goto(writePage("manual.html", drillHtml(run.report, run.segments)));
    const callout = (await page.locator("#person").textContent()) ?? "";
    expect(callout).toContain("A person must act");
    expect(callout).toContain("regionctl failover");
    await expect(page.locator("svg.chart g.event.act").count()).resolves.toBeGreaterThan(0);
    await expect(page.locator("#timeline tr.act").count()).resolves.toBeGreaterThan(0);
    expect(await chartCollisions(page)).toEqual([]);
    await page.close();
  });

  it("gives the reasons of a FAIL at the top, and the availability figure when the report has it", async () => {
    const { run } = await drill("bad-canary-rollback");
    const failed: ReportView = {
      ...run.report,
      invariantViolations: [
        { rule: "never-two-writers", atSeconds: 120, message: "us-east-1 and us-west-2 both write" },
      ],
      expectationFailures: ["final writer us-west-2, got us-east-1"],
      availability: { requests: 0.99734, writes: 1 },
    };
    expect(verdictReasons(failed)).toEqual([
      "0:02:00 safety rule never-two-writers broken: us-east-1 and us-west-2 both write",
      "expected: final writer us-west-2, got us-east-1",
    ]);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(writePage("failed.html", drillHtml(failed, run.segments)));
    await expect(page.locator("h1 .verdict").textContent()).resolves.toBe("FAIL");
    const reasons = (await page.locator("ul.reasons").textContent()) ?? "";
    expect(reasons).toContain("never-two-writers");
    expect(reasons).toContain("final writer us-west-2");
    const figures = (await page.locator("p.figures").textContent()) ?? "";
    expect(figures).toContain("requests served 99.73 %");
    expect(figures).toContain("writes accepted 100.00 %");
    await expect(page.locator("svg.chart g.violation line").count()).resolves.toBeGreaterThan(0);
    expect(await chartCollisions(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("links the index to each page and each page back to the index", async () => {
    const a = await drill("primary-outage-auto-failover");
    const b = await drill("bad-canary-rollback");
    writePage(
      "a.html",
      drillHtml(a.run.report, a.run.segments, { nav: { index: "index.html", next: "b.html" } }),
    );
    writePage(
      "b.html",
      drillHtml(b.run.report, b.run.segments, { nav: { index: "index.html", previous: "a.html" } }),
    );
    const index = indexHtml([
      { report: a.run.report, file: "a.html", description: a.description },
      { report: b.run.report, file: "b.html", description: b.description },
    ]);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(writePage("index.html", index));
    await page.locator("a[href='a.html']").click();
    await expect(page.locator("h1").textContent()).resolves.toContain("primary-outage-auto-failover");
    await page.locator("nav a[rel='next']").click();
    await expect(page.locator("h1").textContent()).resolves.toContain("bad-canary-rollback");
    await page.locator("nav a[href='index.html']").click();
    await expect(page.locator("h1").textContent()).resolves.toContain("regionctl drills");
    const notes = (await page.locator("table").textContent()) ?? "";
    expect(notes).toContain("a person must act");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the collision check fires on overlapping labels and on a line through a label", async () => {
    const page = await context.newPage();
    await page.goto(
      writePage(
        "broken.html",
        `<!doctype html><svg class="chart" xmlns="http://www.w3.org/2000/svg" width="400" height="100">
<text x="10" y="20">failover succeeded</text><text x="30" y="22">traffic succeeded</text>
<g class="event"><line x1="300" y1="0" x2="300" y2="100" stroke="black"/></g><text x="280" y="60">1.0.0</text></svg>`,
      ),
    );
    const found = await chartCollisions(page);
    expect(found).toContain('label "failover succeeded" overlaps "traffic succeeded"');
    expect(found.some((f) => f.includes('crosses "1.0.0"'))).toBe(true);
    await page.close();
  });
});
