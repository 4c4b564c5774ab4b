import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Files a package must not ship: tests, fixtures, build state, tooling, the CLI's TypeScript. */
const unwanted = (files: readonly string[]): string[] =>
  files.filter((f) =>
    /(^|\/)(test|tests|fixtures|bench|tools|\.github|\.ci)\/|\.test\.|\.tsbuildinfo$|^bin\/run-ts\.js$|^automation\//.test(
      f,
    ),
  );

/**
 * The package as a platform team gets it: `npm pack` (which compiles the CLI into dist/), installed
 * into an empty folder with its dependencies, run through `npx regionctl`.
 */
describe("the packed package", () => {
  it("the content check can fail: it names tests, fixtures and build state", () => {
    const files = ["dist/automation/cli.js", "test/cli/x.test.ts", "test/fixtures/cloudfree/index.ts"];
    expect(unwanted([...files, "dist/.tsbuildinfo", "policy/x.test.ts", "docs/drill.md"])).toEqual([
      "test/cli/x.test.ts",
      "test/fixtures/cloudfree/index.ts",
      "dist/.tsbuildinfo",
      "policy/x.test.ts",
    ]);
  });

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
    // Only what runs: the compiled CLI, the program and policy pack, shipped drills and docs.
    const packed = execFileSync("tar", ["-tzf", path.join(packs, tarball)], { encoding: "utf8" })
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => f.replace(/^package\//, ""));
    expect(packed).toContain("dist/automation/cli.js");
    expect(packed).toContain("bin/regionctl.js");
    expect(packed).toContain("Pulumi.yaml");
    expect(unwanted(packed)).toEqual([]);

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
    const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
      .version;
    expect(npx("--version").trim()).toBe(version);
    // The installed package runs the compiled CLI: it ships no CLI sources.
    expect(readdirSync(path.join(app, "node_modules", "regionctl"))).not.toContain("automation");
    const drill = path.join(app, "node_modules", "regionctl", "drills", "bad-canary-rollback.yaml");
    const report = JSON.parse(npx("drill", "--scenario", drill, "--json")) as Record<string, unknown>;
    expect(report).toMatchObject({ command: "drill", outcome: "passed", exitCode: 0 });
  });
});
