import { describe, expect, it } from "vitest";
import { StackUpdateError } from "../../automation/ports";
import { cliEnv } from "./deployFixtures";

/** A canary whose analysis gets no canary data: it pauses at its first analysis. */
function pausedCanaryEnv() {
  const env = cliEnv({ regions: 3, release: { bakeSeconds: 120, analysisIntervalSeconds: 60 } });
  env.mem.metrics.policy = (q) => (q.color === undefined ? 0.01 : null);
  return env;
}

describe("regionctl status / promote / abort / resume", () => {
  it("status before anything is stored", async () => {
    const env = cliEnv({ regions: 2 });
    const r = await env.run("status", "--config", env.file);
    expect(r.code).toBe(0);
    const text = r.stdout.join("\n");
    expect(text).toMatch(/no operational state stored yet/);
    expect(text).toMatch(/us-east-1 \(writer\)\s+1\.0\.0\s+blue/);
    expect(text).toMatch(/no operation in flight/);
    expect(text).toMatch(/lease: free/);
  });

  it("a paused deploy exits 3 (waiting for a person), status shows it, promote --full finishes it", async () => {
    const env = pausedCanaryEnv();
    const deploy = await env.run("deploy", "--config", env.file, "--version", "2.0.0", "--json");
    expect(deploy.code).toBe(3);
    expect(deploy.json()).toMatchObject({ outcome: "paused", reason: expect.stringMatching(/inconclusive/) });
    expect(deploy.stderr.join("\n")).toMatch(/next: continue with `regionctl promote`/);

    const status = await env.run("status", "--config", env.file, "--json");
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({
      stored: true,
      operation: { phase: "paused", currentStep: "canary-10/analysis" },
      regions: { "eu-west-1": { canaryWeight: 10, releaseStatus: "deploying" } },
      lease: null,
    });

    const promote = await env.run("promote", "--config", env.file, "--full", "--json");
    expect(promote.code).toBe(0);
    expect(promote.json()).toMatchObject({ command: "promote", outcome: "succeeded" });
    expect(env.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });
  });

  it("abort rolls a paused deploy back and exits 0", async () => {
    const env = pausedCanaryEnv();
    await env.run("deploy", "--config", env.file, "--version", "2.0.0");
    const r = await env.run("abort", "--yes", "--config", env.file, "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: "aborted",
      regions: { "eu-west-1": { releaseStatus: "rolledback", canaryWeight: null } },
    });
    expect(env.mem.stack.versions()["eu-west-1"]).toBe("1.0.0");
  });

  it("a failed rollback exits 1 and leaves the operation for resume, which retries it", async () => {
    const env = cliEnv({ regions: 2 });
    // 2.0.0 fails its gate in us-west-2, and the rollback's first update fails too.
    env.mem.health.policy = (region) => env.mem.stack.deployed[region].app.servingVersion !== "2.0.0";
    env.mem.stack.failUp = (_call, n) =>
      n === 2 ? new StackUpdateError("dev", "provider crashed") : undefined;
    const deploy = await env.run(
      "deploy",
      "--config",
      env.file,
      "--version",
      "2.0.0",
      "--strategy",
      "rolling",
      "--json",
    );
    expect(deploy.code).toBe(1);
    expect(deploy.json()).toMatchObject({ outcome: "rollback_failed" });
    expect(deploy.stderr.join("\n")).toMatch(/regionctl resume` \(or `abort`\) retries it/);

    const status = await env.run("status", "--config", env.file);
    expect(status.stdout.join("\n")).toMatch(/operation deploy-2\.0\.0-\S+ \(deploy\): failed/);
    expect(status.stdout.join("\n")).toMatch(/rollback_failed/);

    const resume = await env.run("resume", "--config", env.file, "--json");
    expect(resume.code).toBe(1);
    expect(resume.json()).toMatchObject({ outcome: "rolledback" });
    expect(env.mem.stack.versions()).toEqual({ "us-east-1": "1.0.0", "us-west-2": "1.0.0" });
    expect((await env.run("status", "--config", env.file)).stdout.join("\n")).toMatch(
      /no operation in flight/,
    );
  });

  it("promote, abort and resume exit 1 with a message when nothing is in flight", async () => {
    const env = cliEnv({ regions: 2 });
    for (const command of ["promote", "abort", "resume"]) {
      const r = await env.run(command, "--config", env.file, ...(command === "abort" ? ["--yes"] : []));
      expect(r.code).toBe(1);
      expect(r.stderr.join("\n")).toMatch(new RegExp(`^${command}: no operation is in flight`));
    }
  });

  it("promote says so when the operation is not paused", async () => {
    const env = cliEnv({ regions: 2 });
    const controller = new AbortController();
    env.mem.stack.failUp = () => {
      controller.abort();
      return new Error("killed");
    };
    // Leave an interrupted (running) operation behind, as a killed process would.
    const { runPlan } = await import("../../automation/executor");
    const { mustPlan } = await import("../plans/promotionFixtures");
    const { sampleConfig } = await import("../support/sampleConfig");
    const config = sampleConfig({ regions: 2 });
    await expect(
      runPlan(mustPlan(config, null, "2.0.0", { strategy: "rolling" }), {
        config,
        ports: env.mem.ports,
        holder: "dead@host:1",
        signal: controller.signal,
      }),
    ).rejects.toThrow(/interrupted/);
    env.mem.stack.failUp = undefined;

    const promote = await env.run("promote", "--config", env.file);
    expect(promote.code).toBe(1);
    expect(promote.stderr.join("\n")).toMatch(/is not paused; there is nothing to promote/);

    const resume = await env.run("resume", "--config", env.file);
    expect(resume.code).toBe(0);
    expect(resume.stdout.join("\n")).toMatch(/resume: operation deploy-2\.0\.0-r0 succeeded/);
  });

  it("rejects unknown flags on every command (exit 2)", async () => {
    const env = cliEnv({ regions: 2 });
    for (const command of ["status", "promote", "abort", "resume"]) {
      const r = await env.run(
        command,
        "--config",
        env.file,
        "--force",
        ...(command === "abort" ? ["-y"] : []),
      );
      expect(r.code).toBe(2);
      expect(r.stderr.join("\n")).toContain("unknown option --force");
    }
    expect(env.mem.log.entries).toEqual([]);
  });
});
