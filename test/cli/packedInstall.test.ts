import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * The package as a platform team gets it: `npm pack` (which compiles the CLI into dist/), installed
 * into an empty folder with its dependencies, run through `npx regionctl`.
 */
describe("the packed package", () => {
  it("installs into an empty folder and `npx regionctl` runs there", { timeout: 600_000 }, () => {
    const work = mkdtempSync(path.join(tmpdir(), "regionctl-pack-"));
    const packs = path.join(work, "packs");
    mkdirSync(packs);
    execFileSync(npm, ["pack", "--pack-destination", packs, "--loglevel=error"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    const [tarball] = readdirSync(packs).filter((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^regionctl-.*\.tgz$/);

    const app = path.join(work, "app");
    mkdirSync(app);
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "app", version: "1.0.0", private: true }),
    );
    execFileSync(
      npm,
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--omit=dev",
        "--loglevel=error",
        path.join(packs, tarball),
      ],
      { cwd: app, stdio: "pipe" },
    );
    const npx = (...args: string[]): string =>
      execFileSync("npx", ["--no-install", "regionctl", ...args], {
        cwd: app,
        encoding: "utf8",
        stdio: "pipe",
      });

    expect(npx("--help")).toMatch(/Usage: regionctl \[options\] \[command\]/);
    expect(npx("--version").trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The installed package runs the compiled CLI: it ships no CLI sources.
    expect(readdirSync(path.join(app, "node_modules", "regionctl"))).not.toContain("automation");
    const drill = path.join(app, "node_modules", "regionctl", "drills", "bad-canary-rollback.yaml");
    const report = JSON.parse(npx("drill", "--scenario", drill, "--json")) as Record<string, unknown>;
    expect(report).toMatchObject({ command: "drill", outcome: "passed", exitCode: 0 });
  });
});
