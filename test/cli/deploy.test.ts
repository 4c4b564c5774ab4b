import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { followDeployedVersions } from "../support/memoryPorts";
import { initialState } from "../../components/operationalState";
import { sampleConfig, sampleRawConfig } from "../support/sampleConfig";
import { cliEnv, stackFileText } from "./deployFixtures";

describe("regionctl deploy", () => {
  it("promotes a version and exits 0, with progress lines on stderr and one JSON document on stdout", async () => {
    const env = cliEnv({ regions: 3 });
    const r = await env.run(
      "deploy",
      "--config",
      env.file,
      "--version",
      "2.0.0",
      "--strategy",
      "rolling",
      "--json",
    );

    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({
      command: "deploy",
      outcome: "succeeded",
      stack: "dev",
      environment: "test",
      exitCode: 0,
    });
    expect(doc.regions).toMatchObject({
      "us-east-1": { version: "2.0.0", releaseStatus: "deployed" },
      "us-west-2": { version: "2.0.0", releaseStatus: "deployed" },
      "eu-west-1": { version: "2.0.0", releaseStatus: "deployed" },
    });
    expect(env.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });
    // Progress: elapsed, step, region.
    expect(r.stderr).toContain("[+0s] wave-1/health us-west-2: healthy (1/3)");
    expect(r.stderr).toContain("[+20s] wave-1/health us-west-2: healthy (3/3)");
    expect(
      r.stderr.some((l) => /^\[\+[\dhms]+\] wave-3\/update: start: update the stack for us-east-1$/.test(l)),
    ).toBe(true);
  });

  it("exits 1 when a bad version rolls back, naming the failed step", async () => {
    const env = cliEnv({ regions: 3 });
    followDeployedVersions(env.mem, { "2.0.0": { healthy: false } });
    const r = await env.run(
      "deploy",
      "--config",
      env.file,
      "--version",
      "2.0.0",
      "--strategy",
      "rolling",
      "--json",
    );

    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "rolledback", failedStep: "wave-1/health", exitCode: 1 });
    expect(env.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
  });

  it("exits 0 and changes nothing when every region already serves the version", async () => {
    const env = cliEnv({ regions: 2 });
    const r = await env.run("deploy", "--config", env.file, "--version", "1.0.0", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: "deploy", outcome: "already-released", exitCode: 0 });
    expect(r.stderr.join("\n")).toMatch(/every region already serves 1\.0\.0; nothing to do/);
    expect(env.mem.state.writes).toBe(0);
  });

  it("exits 1 when a safety rule refuses, and changes nothing", async () => {
    const start = initialState(sampleConfig({ regions: 2 }));
    const state = {
      ...start,
      regions: { ...start.regions, "us-west-2": { ...start.regions["us-west-2"], drained: true } },
    };
    const env = cliEnv({ regions: 2, state });
    const r = await env.run("deploy", "--config", env.file, "--version", "2.0.0", "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      command: "deploy",
      outcome: "refused",
      rule: "no-promotion-while-failing",
    });
    expect(r.stderr.join("\n")).toMatch(
      /deploy refused \(no-promotion-while-failing\): regions out of service/,
    );
    expect(env.mem.stack.calls).toEqual([]);
  });

  it("exits 1 naming the holder when another run holds the lease", async () => {
    const env = cliEnv({ regions: 2 });
    await env.mem.state.acquireLease("alice@ci:100", "deploy-1.9.0", 60_000);
    const r = await env.run("deploy", "--config", env.file, "--version", "2.0.0", "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "error", error: "LeaseHeldError" });
    expect(r.stderr.join("\n")).toMatch(/held by alice@ci:100/);
    expect(env.mem.stack.calls).toEqual([]);
  });

  it("lists every flag problem at once and exits 2 without touching anything", async () => {
    const env = cliEnv({ regions: 2 });
    const r = await env.run(
      "deploy",
      "--config",
      env.file,
      "--strategy",
      "yolo",
      "--bogus",
      "extra",
      "--stack",
      "a b",
    );

    expect(r.code).toBe(2);
    const text = r.stderr.join("\n");
    for (const problem of [
      "unknown option --bogus",
      "unexpected argument extra",
      '--stack must be a Pulumi stack name (letters, digits, _ . -), got "a b"',
      "--version is required",
      '--strategy must be one of rolling, blue-green, canary, got "yolo"',
    ]) {
      expect(text).toContain(problem);
    }
    expect(text).not.toMatch(/\n\s+at /);
    expect(env.mem.log.entries).toEqual([]);
  });

  it("lists flag and config problems together (exit 2)", async () => {
    const env = cliEnv({ regions: 2 });
    const raw = sampleRawConfig({ regions: 2 });
    writeFileSync(
      env.file,
      stackFileText({ ...raw, writer: "mars-1", dns: { ...(raw.dns as object), ttl: 300 }, sync: {} }),
    );
    const r = await env.run("deploy", "--config", env.file, "--version", "bad version!");

    expect(r.code).toBe(2);
    const text = r.stderr.join("\n");
    expect(text).toContain('--version must be an image tag (letters, digits, _ . + -), got "bad version!"');
    expect(text).toContain("regionctl:dns.ttl: health-checked records need a TTL of 60 s or less");
    expect(text).toContain("regionctl:writer: writer mars-1 is not among the regions");
    expect(text).toMatch(/regionctl:sync\.image: /);
    expect(env.mem.log.entries).toEqual([]);
  });

  it("exits 2 for a missing stack file", async () => {
    const env = cliEnv({ regions: 2 });
    const r = await env.run("deploy", "--config", `${env.dir}/Pulumi.nope.yaml`, "--version", "2.0.0");
    expect(r.code).toBe(2);
    expect(r.stderr.join("\n")).toMatch(/no stack file at .*Pulumi\.nope\.yaml/);
  });

  it("--dry-run prints the plan and each region's stack diff, and changes nothing", async () => {
    const env = cliEnv({ regions: 3 });
    const r = await env.run(
      "deploy",
      "--config",
      env.file,
      "--version",
      "2.0.0",
      "--strategy",
      "canary",
      "--dry-run",
      "--json",
    );

    expect(r.code).toBe(0);
    const doc = r.json() as {
      plan: { steps: { id: string }[] };
      stackChanges: { regions: Record<string, unknown> };
    };
    expect(doc.plan.steps.map((s) => s.id)).toContain("canary-10/analysis");
    expect(doc.stackChanges.regions).toEqual({
      "us-west-2": { update: 1 },
      "eu-west-1": { update: 1 },
      "us-east-1": { update: 1 },
    });
    const human = r.stderr.join("\n");
    expect(human).toMatch(/dry run: canary 2\.0\.0 in eu-west-1/);
    expect(human).toMatch(/ 2\. canary-10\/patch \[patchState\] send 10 % of eu-west-1's traffic to 2\.0\.0/);
    expect(human).toMatch(/rollback\/restore \[restore\]/);
    expect(human).toMatch(/us-west-2 +update 1/);
    // Nothing written, nothing deployed: only a preview ran, with the planned state handed over in memory.
    expect(env.mem.state.writes).toBe(0);
    expect(env.mem.stack.calls.map((c) => c.op)).toEqual(["preview"]);
    expect(env.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(await env.mem.state.readLease()).toBeNull();
  });

  it("finds the only stack file in the working directory", async () => {
    const env = cliEnv({ regions: 2 });
    const cwd = process.cwd();
    process.chdir(env.dir);
    try {
      const r = await env.run("deploy", "--version", "2.0.0", "--dry-run");
      expect(r.code).toBe(0);
      expect(r.stdout.join("\n")).toMatch(/dry run: canary 2\.0\.0/);
    } finally {
      process.chdir(cwd);
    }
  });
});
