import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { bufferIo } from "../../automation/cliIo";
import { commands } from "../../automation/commands/index";

const ROOT = path.resolve(__dirname, "../..");
const HEAVY = [
  /node_modules\/@pulumi\/pulumi\//,
  /node_modules\/@kubernetes\/client-node\//,
  /node_modules\/@aws-sdk\//,
];

/** What a terminal drill never needs: the HTML report and its chart. */
const REPORT = [/automation\/drill\/htmlReport\./, /automation\/drill\/reportChart\./];
/** What `--help` never needs: config validation and scenario parsing. */
const VALIDATION = [/node_modules\/zod\//, /node_modules\/yaml\//, /node_modules\/cron-parser\//];

/** Runs bin/regionctl.js in a fresh Node and returns the modules it loaded. */
function loadedModules(...args: string[]): { status: number | null; modules: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "regionctl-lazy-"));
  const list = path.join(dir, "modules.json");
  const preload = path.join(dir, "record.js");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const r = spawnSync(
    process.execPath,
    ["--require", preload, path.join(ROOT, "bin", "regionctl.js"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  return { status: r.status, modules: JSON.parse(readFileSync(list, "utf8")) as string[] };
}

describe("commands load their dependencies only when they run", () => {
  it("`--help` loads neither the engine, the Kubernetes client, the AWS SDKs nor config validation", () => {
    const r = loadedModules("--help");
    expect(r.status).toBe(0);
    expect(r.modules.length).toBeGreaterThan(0);
    for (const heavy of [...HEAVY, ...VALIDATION]) expect(r.modules.filter((m) => heavy.test(m))).toEqual([]);
  });

  it("a drill loads none of them either, nor the HTML report unless asked for one", () => {
    const r = loadedModules("drill", "--scenario", path.join(ROOT, "drills", "bad-canary-rollback.yaml"));
    expect(r.status).toBe(0);
    for (const heavy of [...HEAVY, ...REPORT]) expect(r.modules.filter((m) => heavy.test(m))).toEqual([]);
  });

  it("a drill on the default sync schedule never loads the cron parser and its date library", () => {
    const r = loadedModules("drill", "--scenario", path.join(ROOT, "drills", "bad-canary-rollback.yaml"));
    expect(r.status).toBe(0);
    expect(r.modules.filter((m) => /node_modules\/(cron-parser|luxon)\//.test(m))).toEqual([]);
    // The check can fail: the scenario's config was validated, with zod, in this process.
    expect(r.modules.some((m) => VALIDATION[0].test(m))).toBe(true);
  });

  it("the check can fail: `--html` loads the report", () => {
    const html = path.join(mkdtempSync(path.join(tmpdir(), "regionctl-lazy-html-")), "report.html");
    const r = loadedModules(
      "drill",
      "--scenario",
      path.join(ROOT, "drills", "bad-canary-rollback.yaml"),
      "--html",
      html,
    );
    expect(r.status).toBe(0);
    for (const report of REPORT) expect(r.modules.some((m) => report.test(m))).toBe(true);
  });

  it("the check can fail: a command that opens real ports does load them", () => {
    const r = loadedModules("status", "--help");
    expect(r.modules.some((m) => HEAVY[0].test(m))).toBe(true);
  });

  it("the help list describes each command exactly as its module registers it", async () => {
    for (const entry of commands) {
      const program = new Command();
      (await entry.load())(program, bufferIo());
      const registered = program.commands.find((c) => c.name() === entry.name);
      expect(registered?.description(), entry.name).toBe(entry.description);
    }
  });
});
