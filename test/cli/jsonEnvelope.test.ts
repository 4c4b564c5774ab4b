import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { commands } from "../../automation/commands/index";
import { EXIT_PAUSED, EXIT_USAGE } from "../../automation/errors";
import { cliEnv } from "./deployFixtures";

/** Runs regionctl and parses stdout, which with --json must be exactly one JSON document. */
async function runJson(...argv: string[]) {
  const io = bufferIo();
  const code = await main(["node", "regionctl", ...argv], io);
  const text = io.stdout.join("\n");
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout of \`regionctl ${argv.join(" ")}\` is not one JSON document:\n${text}`);
  }
  return { code, doc, stderr: io.stderr.join("\n") };
}

function expectEnvelope(
  r: { code: number; doc: Record<string, unknown> },
  command: string,
  outcome: string,
  exitCode: number,
) {
  expect(r.code).toBe(exitCode);
  expect(r.doc).toMatchObject({ command, outcome, exitCode });
}

describe("--json: one envelope on stdout for every outcome", () => {
  it.each(commands.map((c) => c.name))(
    "%s: an unknown flag is a usage error in the envelope",
    async (name) => {
      const env = cliEnv({ regions: 2 });
      const args = name === "drill" ? ["drill", "--bogus"] : [name, "--config", env.file, "--bogus"];
      const r = name === "watch" ? await runWatch(...args, "--json") : await runJson(...args, "--json");
      expectEnvelope(r, name, "usage-error", EXIT_USAGE);
      expect(JSON.stringify(r.doc)).toContain("--bogus");
    },
  );

  it.each(commands.map((c) => c.name).filter((n) => n !== "drill"))(
    "%s: a missing stack file is a usage error naming the file",
    async (name) => {
      const missing = path.join(cliEnv().dir, "Pulumi.nope.yaml");
      const args = [name, "--config", missing, "--json"];
      const r = name === "watch" ? await runWatch(...args) : await runJson(...args);
      expectEnvelope(r, name, "usage-error", EXIT_USAGE);
      expect(r.doc.problems).toEqual(expect.arrayContaining([expect.stringContaining(missing)]));
    },
  );

  it("an unknown command", async () => {
    const r = await runJson("dploy", "--json");
    expectEnvelope(r, "regionctl", "usage-error", EXIT_USAGE);
    expect(r.doc.problems).toEqual(["(Did you mean deploy?)"]);
  });

  it("a bad drill scenario lists every problem", async () => {
    const env = cliEnv();
    const file = path.join(env.dir, "bad.yaml");
    writeFileSync(file, "name: bad\nregions: [us-east-1, mars-1]\nuntil: 60\n");
    const r = await runJson("drill", "--scenario", file, "--json");
    expectEnvelope(r, "drill", "usage-error", EXIT_USAGE);
    expect((r.doc.problems as string[]).join("\n")).toMatch(/regions\[1\]/);
  });

  it("a config error lists every key", async () => {
    const env = cliEnv({ raw: { environment: "x", regions: "nope" } });
    const r = await runJson("status", "--config", env.file, "--json");
    expectEnvelope(r, "status", "usage-error", EXIT_USAGE);
    expect((r.doc.problems as string[]).some((p) => p.startsWith("regionctl:regions:"))).toBe(true);
  });

  it("an engine failure during deploy --dry-run", async () => {
    const env = cliEnv({ regions: 2 });
    env.mem.stack.preview = async () => {
      throw new Error("engine exploded");
    };
    const r = await runJson("deploy", "--config", env.file, "--version", "2.0.0", "--dry-run", "--json");
    expectEnvelope(r, "deploy", "error", 1);
    expect(r.doc.error).toBe("engine exploded");
  });

  it("a failure with a known fix is a setup error naming the fix (exit 2)", async () => {
    const env = cliEnv({ regions: 2 });
    env.mem.stack.preview = async () => {
      throw new Error(
        "code: -2\n stdout: \n stderr: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions",
      );
    };
    const r = await runJson("deploy", "--config", env.file, "--version", "2.0.0", "--dry-run", "--json");
    expectEnvelope(r, "deploy", "setup-error", EXIT_USAGE);
    expect(r.doc.fix).toMatch(/pulumi login/);
    expect(r.stderr).not.toMatch(/code: -2/);
  });

  it("sync: a Kubernetes failure names the kube context fix", async () => {
    const env = cliEnv({ regions: 2 });
    env.mem.sync.run = async () => {
      throw new Error("No active cluster!");
    };
    (env.mem.sync as { trigger?: (region: string) => Promise<string> }).trigger = async () => {
      throw new Error("No active cluster!");
    };
    const r = await runJson("sync", "--config", env.file, "--json");
    expectEnvelope(r, "sync", "setup-error", EXIT_USAGE);
    expect(r.doc.fix).toMatch(/kubeContext/);
  });

  it("check without AWS credentials fails (exit 2) instead of calling every region healthy", async () => {
    const env = cliEnv({ regions: 2 });
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    Object.assign(env.mem.ports, {
      preflight: async () => {
        throw noCredentials;
      },
    });
    const r = await runJson("check", "--config", env.file, "--rounds", "1", "--json");
    expectEnvelope(r, "check", "setup-error", EXIT_USAGE);
    expect(r.doc.fix).toMatch(/aws configure/);
  });

  it("a paused operation exits 3 and says so", async () => {
    const env = cliEnv({ regions: 3, release: { bakeSeconds: 120, analysisIntervalSeconds: 60 } });
    env.mem.metrics.policy = (q) => (q.color === undefined ? 0.01 : null);
    const r = await runJson("deploy", "--config", env.file, "--version", "2.0.0", "--json");
    expectEnvelope(r, "deploy", "paused", EXIT_PAUSED);
  });

  it("read-only commands carry the envelope on success", async () => {
    const env = cliEnv({ regions: 2 });
    for (const name of ["status", "replication", "iam-policy"]) {
      expectEnvelope(await runJson(name, "--config", env.file, "--json"), name, "ok", 0);
    }
  });
});

/** watch --json is JSON Lines: every line parses, and the last one is the envelope. */
async function runWatch(...argv: string[]) {
  const io = bufferIo();
  const code = await main(["node", "regionctl", ...argv], io);
  const lines = io.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.length).toBeGreaterThan(0);
  return { code, doc: lines[lines.length - 1], stderr: io.stderr.join("\n") };
}
