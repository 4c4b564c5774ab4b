import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { cliEnv } from "./deployFixtures";

const VERSION = (
  JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string }
).version;

/** A canary whose analysis gets no canary data: it pauses at its first analysis. */
function pausedEnv() {
  const env = cliEnv({ regions: 3, release: { bakeSeconds: 120, analysisIntervalSeconds: 60 } });
  env.mem.metrics.policy = (q) => (q.color === undefined ? 0.01 : null);
  return env;
}

async function run(io: ReturnType<typeof bufferIo>, ...argv: string[]) {
  return main(["node", "regionctl", ...argv], io);
}

describe("Pulumi-style conventions", () => {
  it("--version prints the package version; a command's own --version is not taken for it", async () => {
    const io = bufferIo();
    expect(await run(io, "--version")).toBe(0);
    expect(io.stdout).toEqual([VERSION]);
    const env = cliEnv({ regions: 2 });
    const r = await env.run("deploy", "--config", env.file, "--version", "2.0.0", "--dry-run", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ outcome: "dry-run" });
  });

  it("-s is --stack", async () => {
    const env = cliEnv({ regions: 2 });
    const io = bufferIo();
    const cwd = process.cwd();
    process.chdir(env.dir);
    try {
      expect(await run(io, "status", "-s", "dev", "--json")).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(JSON.parse(io.stdout.join("\n"))).toMatchObject({ command: "status", stack: "dev" });
  });

  it("abort without --yes and without a terminal exits 2, lists it with the other problems, and changes nothing", async () => {
    const env = pausedEnv();
    await env.run("deploy", "--config", env.file, "--version", "2.0.0");
    const writes = env.mem.state.writes;
    const r = await env.run("abort", "--config", env.file, "--bogus", "--json");
    expect(r.code).toBe(2);
    const problems = (r.json() as { problems: string[] }).problems;
    expect(problems).toContain("unknown option --bogus");
    expect(problems).toContainEqual(expect.stringMatching(/not at a terminal to confirm, so pass --yes/));
    expect(env.mem.state.writes).toBe(writes);
  });

  it("at a terminal, abort asks; anything but yes changes nothing, yes rolls back", async () => {
    const env = pausedEnv();
    await env.run("deploy", "--config", env.file, "--version", "2.0.0");
    const writes = env.mem.state.writes;
    const no = bufferIo(["n"]);
    expect(await run(no, "abort", "--config", env.file)).toBe(2);
    expect(no.stderr.join("\n")).toMatch(/rolls the operation in flight back now\. Continue\? \[y\/N\]/);
    expect(no.stderr.join("\n")).toMatch(/not confirmed\. Nothing was changed/);
    expect(env.mem.state.writes).toBe(writes);

    const yes = bufferIo(["yes"]);
    expect(await run(yes, "abort", "--config", env.file)).toBe(0);
    expect(env.mem.stack.versions()["us-west-2"]).toBe("1.0.0");
  });

  it("status --watch --json refreshes as JSON Lines and stops after --count", async () => {
    const env = cliEnv({ regions: 2 });
    const r = await env.run(
      "status",
      "--config",
      env.file,
      "--watch",
      "--interval",
      "1",
      "--count",
      "2",
      "--json",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(2);
    for (const line of r.stdout) expect(JSON.parse(line)).toMatchObject({ command: "status", outcome: "ok" });
    const bad = await env.run("status", "--config", env.file, "--watch", "--interval", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr.join("\n")).toMatch(/--interval must be a whole number from 1 to 3600/);
  });

  it("failover --dry-run needs no confirmation", async () => {
    const env = cliEnv({ regions: 3 });
    env.mem.health.policy = (region) => region !== "us-east-1";
    const r = await env.run("failover", "--config", env.file, "--dry-run", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: "failover", outcome: "dry-run" });
  });
});
