import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * What the engine shows a policy pack after a writer move: properties in `ignoreChanges` keep
 * their stored values, so the former writer still carries its credentials and the new one none.
 * The fixture pack decides the writer as the regionctl pack does (from the role tag), so the first
 * preview after the move passes; the offline evaluator applies the same rule.
 */

const repo = path.resolve(__dirname, "../..");
const fixture = path.join(repo, "test/fixtures/ignorechanges");
const pack = path.join(fixture, "pack");

let root: string;
let work: string;
let env: NodeJS.ProcessEnv;

function pulumi(...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], { cwd: work, env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

async function pulumiOk(...args: string[]): Promise<string> {
  const res = await pulumi(...args);
  if (res.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${String(res.code)}:\n${res.output}`);
  return res.output;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "regionctl-ignored-"));
  work = path.join(root, "work");
  await Promise.all(["backend", "home", "work"].map((d) => mkdir(path.join(root, d))));
  await writeFile(
    path.join(work, "Pulumi.yaml"),
    [
      "name: ignorechanges",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      "    nodeargs: --require tsx/cjs",
      `main: ${path.join(fixture, "index.ts")}`,
      "",
    ].join("\n"),
  );
  env = {
    ...process.env,
    PATH: `${inject("pulumiBinDir")}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "regionctl-ignored-test",
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  await pulumiOk("stack", "init", "test");
  await pulumiOk("config", "set", "fixture:writer", "east");
  await pulumiOk("up", "--yes", "--skip-preview");
  await pulumiOk("config", "set", "fixture:writer", "west");
}, 240_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe("pulumi preview --policy-pack after the writer moves", () => {
  it("passes: the writer comes from the role tag, not from the ignored credentials", async () => {
    const res = await pulumi("preview", "--policy-pack", pack);

    expect(res.code, res.output).toBe(0);
    // The engine restored the ignored password: still on east, absent on west.
    expect(res.output).toContain("masterPassword shown on: east");
    expect(res.output).not.toContain("[mandatory]");
  }, 240_000);

  it("fails when the pack expects another writer (the check can fire)", async () => {
    const config = path.join(root, "expect-east.json");
    await writeFile(config, JSON.stringify({ "single-writer": { writer: "east" } }));

    const res = await pulumi("preview", "--policy-pack", pack, "--policy-pack-config", config);

    expect(res.code, res.output).not.toBe(0);
    expect(res.output).toContain("writers [west], expected east");
  }, 240_000);
});
