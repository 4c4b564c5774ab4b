import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { SHIPPED_DRILLS } from "../../automation/drill/scenarioFiles";

const tmp = mkdtempSync(path.join(tmpdir(), "regionctl-drill-"));

function scenarioFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe("regionctl drill", () => {
  it("lists every problem of a bad scenario with its path and exits 2", async () => {
    const file = scenarioFile(
      "bad.yaml",
      `name: bad
regions: [us-east-1, us-west-2, eu-west-9]
writer: ap-south-1
healthCheck: { intervalSeconds: 45, failureThreshold: 3 }
versions:
  "1.0.0": { errorRate: 0.001 }
initialVersion: "1.0.0"
events:
  - { at: 60, deploy: { version: "2.0.0", strategy: canary } }
  - { at: 4000, outage: { region: us-east-1 } }
  - { at: 100, explode: { region: us-east-1 } }
  - { at: 120, outage: { region: sa-east-1 } }
  - { at: 130, flap: { region: us-west-2 } }
until: 3600
`,
    );
    const io = bufferIo();
    const code = await main(["node", "regionctl", "drill", "--scenario", file], io);
    expect(code).toBe(2);
    const text = io.stderr.join("\n");
    for (const expected of [
      "regions[2]: unknown AWS region",
      "writer: unknown region ap-south-1",
      "healthCheck.intervalSeconds: must be 1 to 30",
      "events[0].deploy.version: version 2.0.0 has no behaviour in versions",
      "events[1].at: 4000 is after until (3600)",
      "events[2].explode: unknown event kind 'explode'",
      "events[3].outage.region: unknown region sa-east-1",
      "events[4].flap.periodSeconds: Required",
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toMatch(/\n\s+at /);
    expect(io.stdout).toEqual([]);
  });

  it("rejects YAML syntax errors and bad flags with exit 2", async () => {
    const file = scenarioFile("broken.yaml", "name: [unclosed\n");
    const io = bufferIo();
    expect(await main(["node", "regionctl", "drill", "--scenario", file], io)).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/line \d+, column \d+/);
    const flags = bufferIo();
    expect(await main(["node", "regionctl", "drill", "--seed", "x"], flags)).toBe(2);
    expect(flags.stderr.join("\n")).toContain("give exactly one of --scenario FILE or --all");
    expect(flags.stderr.join("\n")).toContain("--seed must be a whole number");
  });

  it("prints one JSON document with the fixed report fields and writes the HTML report", async () => {
    const io = bufferIo();
    const html = path.join(tmp, "out", "report.html");
    const code = await main(
      [
        "node",
        "regionctl",
        "drill",
        "--scenario",
        path.join(SHIPPED_DRILLS, "primary-outage-auto-failover.yaml"),
        "--json",
        "--html",
        html,
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout.join("\n")) as Record<string, unknown>;
    for (const key of [
      "incidents",
      "finalWriter",
      "regions",
      "operations",
      "timeline",
      "availability",
      "invariantViolations",
    ]) {
      expect(report).toHaveProperty(key);
    }
    const incident = (report.incidents as Record<string, unknown>[])[0];
    expect(Object.keys(incident).sort()).toEqual([
      "atSeconds",
      "floorSeconds",
      "kind",
      "region",
      "rpoSeconds",
      "rtoSeconds",
    ]);
    expect(report.regions).toHaveProperty(["us-east-1", "version"], "1.0.0");
    expect(io.stderr.join("\n")).toContain("Route 53 checkers see us-east-1 unhealthy");
    expect(readFileSync(html, "utf8")).toContain("<svg");
  });

  it("--all runs every scenario of a folder, prints the summary table and writes the HTML pages", async () => {
    const dir = mkdtempSync(path.join(tmp, "drills-"));
    for (const name of ["bad-canary-rollback", "primary-outage-manual"]) {
      writeFileSync(path.join(dir, `${name}.yaml`), readFileSync(path.join(SHIPPED_DRILLS, `${name}.yaml`)));
    }
    const out = path.join(tmp, "html");
    const io = bufferIo();
    const code = await main(["node", "regionctl", "drill", "--all", "--dir", dir, "--html-dir", out], io);
    expect(code).toBe(0);
    const [header, , ...rows] = io.stdout;
    expect(header.split(/\s{2,}/)).toEqual([
      "scenario",
      "outcome",
      "RTO",
      "RPO",
      "floor",
      "RTO/floor",
      "requests / writes ok",
      "violations",
      "check",
    ]);
    expect(rows[0]).toMatch(/^bad-canary-rollback\s+deploy rolledback\s+-/);
    expect(rows[1]).toMatch(
      /^primary-outage-manual\s+no operation\s+\d+ s\s+0 s\s+88\.1 s\s+\d+\.\d\d\s+\d+\.\d{3} % \/ \d+\.\d{3} %\s+0\s+pass/,
    );
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toContain('href="primary-outage-manual.html"');
    expect(readFileSync(path.join(out, "bad-canary-rollback.html"), "utf8")).toContain("<svg");
  });
});
