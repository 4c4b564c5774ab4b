import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { drillHtml } from "../../automation/drill/htmlReport";
import { runDrill } from "../../automation/drill/runner";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";

/** The system Chromium (scripts/setup.sh installs it); REGIONCTL_CHROMIUM overrides. */
function chromiumPath(): string {
  const override = process.env.REGIONCTL_CHROMIUM;
  if (override !== undefined) return override;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error("Chromium is not installed: run scripts/setup.sh (it installs the `chromium` package)");
}

describe("HTML drill report", () => {
  it("renders the chart in a real browser", async () => {
    const run = await runDrill(loadScenario(path.join(SHIPPED_DRILLS, "primary-outage-auto-failover.yaml")), {
      seed: 1,
    });
    const dir = mkdtempSync(path.join(tmpdir(), "regionctl-html-"));
    const file = path.join(dir, "report.html");
    const html = drillHtml(run.report, run.segments);
    writeFileSync(file, html);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    const context = await chromium.launchPersistentContext(path.join(dir, "profile"), {
      executablePath: chromiumPath(),
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(`file://${file}`);
      const chart = page.locator("svg.chart");
      await expect(chart.count()).resolves.toBe(1);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      expect(box?.height).toBeGreaterThan(200);

      // One lane per region, each with drawn segments of non-zero size.
      const lanes = page.locator("svg.chart g.lane");
      await expect(lanes.count()).resolves.toBe(3);
      for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
        const segs = page.locator(`svg.chart g.lane[data-region="${region}"] rect.seg`);
        const n = await segs.count();
        expect(n).toBeGreaterThan(2);
        const first = await segs.first().boundingBox();
        expect(first?.width).toBeGreaterThan(0);
        expect(first?.height).toBeGreaterThan(0);
      }
      // The outage shows: us-east-1 unhealthy for a while, and the writer moving to us-west-2 and back.
      const unhealthyWidth = await page
        .locator('svg.chart g.lane[data-region="us-east-1"] rect.unhealthy')
        .evaluateAll((els) => els.reduce((sum, el) => sum + el.getBoundingClientRect().width, 0));
      expect(unhealthyWidth).toBeGreaterThan(50);
      await expect(
        page.locator('svg.chart g.lane[data-region="us-west-2"] rect.writer').count(),
      ).resolves.toBeGreaterThan(0);
      await expect(page.locator("svg.chart g.event").count()).resolves.toBe(3);
      await expect(page.locator("svg.chart rect").count()).resolves.toBeGreaterThan(20);

      const shots = path.resolve(__dirname, "../../out");
      mkdirSync(shots, { recursive: true });
      await chart.screenshot({ path: path.join(shots, "drill-chart.png") });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
