import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * `pulumi preview --policy-pack` on the real engine: the engine starts Node.js policy packs through
 * the language host's RunPlugin, so these tests cover our host (tools/pulumi-language-nodejs) and
 * the repository's CrossGuard pack together. The program only has component resources, so no
 * provider plugin or cloud is involved; everything lives in a temporary directory.
 */

const repo = path.resolve(__dirname, "../..");
const fixture = path.join(repo, "test/fixtures/policypack");
const regionctlPack = path.join(repo, "policy");
const stackEchoPack = path.join(fixture, "stackEcho");
const regions = ["eu-west-1", "ap-southeast-2"];

interface CliResult {
  readonly code: number | null;
  readonly output: string;
}

let root: string;
let work: string;
let env: NodeJS.ProcessEnv;

function pulumi(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], { cwd: work, env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

async function pulumiOk(...args: string[]): Promise<void> {
  const res = await pulumi(...args);
  if (res.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${String(res.code)}:\n${res.output}`);
}

function missing(region: string): string {
  return `region ${region} is missing an application Deployment, an Aurora cluster, a Route 53 health check.`;
}

beforeAll(async () => {
  const binDir = inject("pulumiBinDir");
  root = await mkdtemp(path.join(tmpdir(), "regionctl-policypack-"));
  work = path.join(root, "work");
  await Promise.all(["backend", "home", "work"].map((d) => mkdir(path.join(root, d))));
  // The project file lives in the temporary directory (so do the stack's config file and state);
  // `main` points at the fixture, whose node_modules are the repository's.
  await writeFile(
    path.join(work, "Pulumi.yaml"),
    [
      "name: regionctl",
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
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "regionctl-policy-pack-test",
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  await pulumiOk("stack", "init", "test");
  for (const [i, region] of regions.entries()) {
    await pulumiOk("config", "set", "--path", `fixture:regions[${i}]`, region);
  }
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe("pulumi preview --policy-pack", () => {
  it("runs the repository's pack, whose mandatory violations fail the preview", async () => {
    const res = await pulumi("preview", "--policy-pack", regionctlPack);

    expect(res.code, res.output).not.toBe(0);
    expect(res.output).not.toContain("RunPlugin");
    expect(res.output).toContain(`regionctl@v0.1.0 (local: ${regionctlPack})`);
    expect(res.output).toMatch(/\[mandatory\] \[severity: high\]\s+stack-region-coverage/);
    for (const region of regions) expect(res.output).toContain(missing(region));
  });

  it("passes when --policy-pack-config makes the violated policy advisory", async () => {
    const config = path.join(root, "advisory.json");
    await writeFile(config, JSON.stringify({ "stack-region-coverage": { enforcementLevel: "advisory" } }));

    const res = await pulumi("preview", "--policy-pack", regionctlPack, "--policy-pack-config", config);

    expect(res.code, res.output).toBe(0);
    expect(res.output).toMatch(/\[advisory\] \[severity: high\]\s+stack-region-coverage/);
    expect(res.output).not.toContain("[mandatory]");
    for (const region of regions) expect(res.output).toContain(missing(region));
  });

  it("gives packs the stack's name, project, dry-run flag and configuration", async () => {
    const res = await pulumi("preview", "--policy-pack", stackEchoPack);

    expect(res.code, res.output).toBe(0);
    expect(res.output).toContain(
      `stack=test project=regionctl dryRun=true regions=${JSON.stringify(regions)}`,
    );
  });
});
