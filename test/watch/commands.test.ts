import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { parseConfig } from "../../components/config";
import { sampleRawConfig } from "../support/sampleConfig";
import { cliEnv } from "../cli/deployFixtures";

/** The disaster-recovery commands through `main`, on in-memory ports and a virtual clock. */

const raw = sampleRawConfig({ regions: 3 });
const config = parseConfig(raw);
const [USE1, USW2, EUW1] = ["us-east-1", "us-west-2", "eu-west-1"];

function env(options: { manual?: boolean } = {}) {
  const e = cliEnv({
    raw: options.manual === true ? { ...raw, failover: { mode: "manual" } } : raw,
    state: initialState(config),
  });
  e.mem.database.lag = { [USW2]: 2, [EUW1]: 0.7 };
  return e;
}

describe("regionctl failover", () => {
  it("confirms the writer is down, fails over to the least-lagging secondary and prints RPO and RTO", async () => {
    const e = env();
    e.mem.health.policy = (region) => region !== USE1;
    const r = await e.run("failover", "--yes", "--config", e.file, "--json");
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({
      command: "failover",
      outcome: "succeeded",
      from: USE1,
      to: EUW1,
      writer: EUW1,
      rpoSeconds: 0.7,
    });
    expect(out.rtoSeconds).toEqual(expect.any(Number));
    expect(e.mem.state.current?.writer).toBe(EUW1);
    expect(e.mem.state.current?.incidents.at(-1)).toMatchObject({
      kind: "failover",
      from: USE1,
      to: EUW1,
      rpoSeconds: 0.7,
    });
    expect(r.stderr.join("\n")).toMatch(/failover\/database/);
  });

  it("supersedes a release stuck after a failed rollback", async () => {
    const e = env();
    const state = initialState(config);
    e.mem.state.overwrite({
      ...state,
      operation: {
        id: "deploy-9",
        kind: "deploy",
        plan: { id: "deploy-9", kind: "deploy", summary: "x", steps: [], compensation: [], regions: [] },
        before: state.regions,
        writerBefore: USE1,
        phase: "failed",
        cursor: 0,
        steps: [],
        startedAt: new Date(0).toISOString(),
        finishedAt: null,
        reason: "rollback failed",
      },
    });
    e.mem.health.policy = (region) => region !== USE1;
    const r = await e.run("failover", "--yes", "--config", e.file);
    expect(r.code).toBe(0);
    expect(r.stdout.join("\n")).toMatch(/supersedes deploy deploy-9 \(failed\)/);
    expect(e.mem.state.current?.history.find((h) => h.id === "deploy-9")?.phase).toBe("aborted");
    expect(e.mem.state.current?.writer).toBe(EUW1);
  });

  it("--dry-run prints the decision and the plan and changes nothing", async () => {
    const e = env();
    e.mem.health.policy = (region) => region !== USE1;
    const r = await e.run("failover", "--yes", "--config", e.file, "--dry-run");
    expect(r.code).toBe(0);
    const text = r.stdout.join("\n");
    expect(text).toMatch(
      /plan failover-\S+ \(failover\): fail over the writer from us-east-1 \(unhealthy\) to eu-west-1/,
    );
    expect(text).toMatch(/branch 1:[\s\S]*failover\/database[\s\S]*branch 2:[\s\S]*failover\/state/);
    expect(text).toMatch(/dry run: nothing was changed/);
    expect(e.mem.log.of("database", "failover")).toEqual([]);
    expect(e.mem.state.current?.writer).toBe(USE1);
  });

  it("refuses (exit 1) while the writer is healthy, naming the rule", async () => {
    const e = env();
    const r = await e.run("failover", "--yes", "--config", e.file, "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "refused", rule: "failover-needs-failed-writer" });
  });

  it("rejects bad flags with exit 2 and changes nothing", async () => {
    const e = env();
    const r = await e.run(
      "failover",
      "--yes",
      "--config",
      e.file,
      "--rounds",
      "0",
      "--allow-unknown-lag",
      "--bogus",
    );
    expect(r.code).toBe(2);
    const err = r.stderr.join("\n");
    expect(err).toMatch(/--rounds must be a whole number/);
    expect(err).toMatch(/--allow-unknown-lag needs --to REGION/);
    expect(err).toMatch(/unknown option --bogus/);
    const unknown = await e.run("failover", "--yes", "--config", e.file, "--to", "mars-1");
    expect(unknown.code).toBe(2);
    expect(e.mem.log.of("health")).toEqual([]);
  });
});

describe("regionctl check", () => {
  it("manual mode: prints the decision and the exact command, exits 3 (waiting for a person), acts on nothing", async () => {
    const e = env({ manual: true });
    e.mem.health.policy = (region) => region !== USE1;
    const r = await e.run("check", "--config", e.file, "--json");
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ outcome: "waiting-for-person", exitCode: 3 });
    const report = (
      r.json() as { report: { decisions: { kind: string; action: string; command?: string }[] } }
    ).report;
    expect(report.decisions).toContainEqual(
      expect.objectContaining({
        kind: "failover",
        action: "reported",
        command: "regionctl failover --stack dev --to eu-west-1",
      }),
    );
    expect(e.mem.log.of("database", "failover")).toEqual([]);
  });

  it("auto mode: prints the failover the watcher would start, and starts nothing", async () => {
    const e = env();
    e.mem.health.policy = (region) => region !== USE1;
    const before = JSON.stringify(e.mem.state.current);
    const r = await e.run("check", "--config", e.file);
    expect(r.code).toBe(0);
    expect(r.stdout.join("\n")).toMatch(/failover proposed: fail over the writer from us-east-1/);
    expect(e.mem.log.of("database", "failover")).toEqual([]);
    expect(e.mem.stack.calls).toEqual([]);
    expect(JSON.stringify(e.mem.state.current)).toBe(before);
  });

  it("all healthy: exit 0 and the active regions in order", async () => {
    const e = env();
    const r = await e.run("check", "--config", e.file, "--rounds", "1");
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toMatch(/writer us-east-1 \(auto\); active: us-east-1, us-west-2, eu-west-1/);
  });
});

describe("regionctl watch", () => {
  it("prints JSON Lines: one object per tick, then the result, and stops after --ticks", async () => {
    const e = env();
    const r = await e.run("watch", "--config", e.file, "--ticks", "3", "--json");
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(4);
    const lines = r.stdout.map((l) => JSON.parse(l) as { type: string; at: string });
    expect(lines.map((l) => l.type)).toEqual(["tick", "tick", "tick", "result"]);
    expect(lines[3]).toEqual({ command: "watch", type: "result", outcome: "done", exitCode: 0 });
    const times = lines.slice(0, 3).map((l) => Date.parse(l.at));
    expect(times[1] - times[0]).toBe(config.dns.healthCheck.intervalSeconds * 1000);
  });

  it("starts its rounds one interval apart, however long a round waits on a probe that hangs", async () => {
    const e = env();
    e.mem.health.policy = (region) => (region === EUW1 ? "hang" : true);
    const r = await e.run("watch", "--config", e.file, "--ticks", "3", "--json", "--keep-going");
    const times = r.stdout
      .map((l) => JSON.parse(l) as { type: string; at: string })
      .filter((l) => l.type === "tick")
      .map((l) => Date.parse(l.at));
    expect(times).toHaveLength(3);
    // Each round waits out the probe timeout; the next still starts on the interval.
    expect(times[1] - times[0]).toBe(config.dns.healthCheck.intervalSeconds * 1000);
    expect(times[2] - times[1]).toBe(config.dns.healthCheck.intervalSeconds * 1000);
  });

  it("manual mode exits 3 (waiting for a person) on the tick that needs one, with the command to run", async () => {
    const e = env({ manual: true });
    e.mem.health.policy = (region) => region !== USE1;
    const r = await e.run("watch", "--config", e.file, "--ticks", "10");
    expect(r.code).toBe(3);
    const text = r.stdout.join("\n");
    expect(text).toMatch(/run: regionctl failover --stack dev --to eu-west-1/);
    // Three observations confirm the writer is down; the watcher stops on that tick.
    expect(text.match(/^\S+ writer us-east-1 \(manual\)/gm)).toHaveLength(3);
  });
});

describe("regionctl switchover and failback", () => {
  it("switchover moves the writer with RPO 0, through the target's region", async () => {
    const e = env();
    e.mem.database.lag = { [USW2]: 0.3, [EUW1]: 0.7 };
    const r = await e.run("switchover", "--config", e.file, "--to", USW2, "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: "succeeded",
      from: USE1,
      to: USW2,
      writer: USW2,
      rpoSeconds: 0,
    });
    expect(e.mem.log.of("database", "switchover").map((x) => x.detail)).toEqual([{ to: USW2, via: USW2 }]);
    expect(e.mem.state.current?.regions[USE1].drained).toBe(false);
  });

  it("switchover refuses a target lagging beyond the RPO bound, and needs --to", async () => {
    const e = env();
    e.mem.database.lag = { [USW2]: 45, [EUW1]: 0.7 };
    const r = await e.run("switchover", "--config", e.file, "--to", USW2, "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "refused", rule: "lag-within-rpo" });
    expect((await e.run("switchover", "--config", e.file)).code).toBe(2);
  });

  it("failback after a failover returns the writer once the old region is healthy and connected", async () => {
    const e = env();
    e.mem.health.policy = (region) => region !== USE1;
    expect((await e.run("failover", "--yes", "--config", e.file)).code).toBe(0);
    const early = await e.run("failback", "--config", e.file, "--json");
    expect(early.code).toBe(1);
    expect(early.json()).toMatchObject({ outcome: "refused", rule: "target-healthy" });

    e.mem.health.policy = () => true;
    const r = await e.run("failback", "--config", e.file, "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      command: "failback",
      outcome: "succeeded",
      from: EUW1,
      to: USE1,
      writer: USE1,
      rpoSeconds: 0,
    });
    const state = e.mem.state.current;
    expect(state?.regions[USE1]).toMatchObject({ drained: false, excluded: false });
    expect(state?.incidents.map((i) => i.kind)).toEqual(["failover", "failback"]);
  });
});

describe("regionctl replication and sync", () => {
  it("replication shows the members and the retry queue", async () => {
    const e = env();
    e.mem.database.detached.add(EUW1);
    const state = initialState(config);
    e.mem.state.overwrite({
      ...state,
      replicationQueue: [
        {
          region: EUW1,
          reason: "its cluster is not a member of the global database",
          attempts: 2,
          nextAttemptAt: "2025-01-01T00:05:00.000Z",
          lastError: "quota",
          queuedAt: "2025-01-01T00:00:00.000Z",
        },
      ],
    });
    const r = await e.run("replication", "--config", e.file, "--json");
    expect(r.code).toBe(0);
    const out = r.json() as {
      database: { members: { region: string }[] };
      queue: { region: string; attempts: number }[];
    };
    expect(out.database.members.map((m) => m.region).sort()).toEqual([USE1, USW2]);
    expect(out.queue).toEqual([expect.objectContaining({ region: EUW1, attempts: 2 })]);
    const human = await e.run("replication", "--config", e.file);
    expect(human.stdout.join("\n")).toMatch(/eu-west-1\s+MISSING/);
  });

  it("sync --wait records the watermark; a failed run is recorded with its retry time (exit 1)", async () => {
    const e = env();
    const ok = await e.run("sync", "--config", e.file, "--region", USW2, "--wait", "--json");
    expect(ok.code).toBe(0);
    expect(
      (ok.json() as { sync: Record<string, { status: string; lastSync: string | null }> }).sync[USW2],
    ).toMatchObject({ status: "idle" });
    expect(e.mem.state.current?.sync[USW2].lastSync).not.toBeNull();

    e.mem.sync.policy = () => ({ ok: false, watermark: null, detail: "BackoffLimitExceeded" });
    const bad = await e.run("sync", "--config", e.file, "--wait", "--json");
    expect(bad.code).toBe(1);
    const s = e.mem.state.current?.sync;
    expect(s?.[USW2]).toMatchObject({ status: "error", lastError: "BackoffLimitExceeded" });
    expect(Date.parse(s?.[EUW1].nextRunAt ?? "") - e.mem.clock.now()).toBe(config.sync.retrySeconds * 1000);
  });

  it("sync without --wait starts the Jobs and returns; the writer has no sync job", async () => {
    const e = env();
    const started: string[] = [];
    e.mem.ports.sync.trigger = async (region: string) => {
      started.push(region);
      return `sync-manual-${region}`;
    };
    const r = await e.run("sync", "--config", e.file, "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: "started",
      jobs: { [USW2]: `sync-manual-${USW2}`, [EUW1]: `sync-manual-${EUW1}` },
    });
    expect(e.mem.log.of("sync", "run")).toEqual([]);
    const writer = await e.run("sync", "--config", e.file, "--region", USE1);
    expect(writer.code).toBe(1);
    expect(writer.stderr.join("\n")).toMatch(/us-east-1 is the writer; it has no sync job/);
  });
});

describe("regionctl iam-policy", () => {
  it("scopes the policy to the environment given", async () => {
    const e = env();
    const r = await e.run("iam-policy", "--config", e.file);
    expect(r.code).toBe(0);
    const policy = r.json() as { Statement: { Sid: string; Resource: unknown }[] };
    expect(policy.Statement.find((s) => s.Sid === "AuroraGlobalDatabase")?.Resource).toContain(
      "arn:aws:rds::*:global-cluster:test-global",
    );
  });
});
