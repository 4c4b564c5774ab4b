import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import type { Plan, Step } from "../../automation/plans/steps";
import { initialState } from "../../components/operationalState";
import { sampleConfig } from "../support/sampleConfig";
import { type Harness, harness } from "./harness";

function plan(steps: Step[], kind: Plan["kind"] = "failover"): Plan {
  return { id: `op-${kind}`, kind, summary: "test", steps, compensation: [], regions: [] };
}

const run = (h: Harness, steps: Step[]) => runPlan(plan(steps), h.options());

const failoverSteps = (detachFallback: boolean): Step[] => [
  { kind: "dbFailover", id: "db", description: "promote us-west-2", to: "us-west-2", detachFallback },
  { kind: "awaitWriter", id: "await", description: "wait", region: "us-west-2", timeoutSeconds: 300 },
];

describe("step handlers", () => {
  it("dbFailover calls the target region, then awaitWriter polls it until it is the writer", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.promotionMs = 42_000;
    const result = await run(h, failoverSteps(true));

    expect(result.outcome).toBe("succeeded");
    const calls = h.mem.log.entries.filter((e) => e.port === "database");
    expect(calls.every((c) => c.detail.via === "us-west-2")).toBe(true);
    expect(calls.filter((c) => c.action === "failover")).toHaveLength(1);
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([]);
    expect(h.mem.database.writer).toBe("us-west-2");
    // Polled every 5 s until the promotion finished.
    const done = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "await");
    expect(done?.detail).toMatch(/us-west-2 is the writer after 45 s/);
  });

  it("dbFailover falls back to detaching the target when the managed failover throws", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    const result = await run(h, failoverSteps(true));

    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([
      expect.objectContaining({ detail: { region: "us-west-2", via: "us-west-2" } }),
    ]);
    // The rest must be rebuilt behind the new standalone writer.
    expect(h.stored().replicationQueue.map((q) => q.region)).toEqual(["us-east-1", "eu-west-1"]);
    // The global cluster never names a detached cluster its writer: awaitWriter confirms it through
    // the target's own cluster, at once, instead of waiting out its timeout.
    expect(h.mem.database.writer).toBe("us-east-1");
    const confirmed = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "await");
    expect(confirmed?.detail).toMatch(/us-west-2 is the writer after 0 s: a standalone cluster, detached/);
    // Fenced first: every application pointed at the target, the old writer's region untouched.
    const order = h.mem.log.entries
      .filter((e) => (e.port === "stack" && e.action === "up") || e.action === "removeFromGlobal")
      .map((e) => e.action);
    expect(order).toEqual(["up", "removeFromGlobal"]);
    expect(h.mem.stack.calls[0]).toMatchObject({ op: "up", targets: undefined, excludes: ["us-east-1"] });
    expect(h.stored().regions["us-east-1"]).toMatchObject({ drained: true, excluded: true });
    expect(h.stored().writer).toBe("us-west-2");
  });

  it("dbFailover records the detached writer with its own endpoint, and the old writer to fence on return", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    await run(h, failoverSteps(true));
    expect(h.stored().detachedWriter).toMatchObject({
      region: "us-west-2",
      clusterIdentifier: expect.stringMatching(/-us-west-2$/),
      endpoint: expect.stringMatching(/\.us-west-2\.rds\.amazonaws\.com$/),
      operationId: "op-failover",
    });
    expect(h.stored().fenceOnReturn).toEqual([
      expect.objectContaining({
        region: "us-east-1",
        reason: expect.stringMatching(/old global cluster's writer/),
      }),
    ]);
  });

  it("dbFailover overlaps the fence with the detach when the old writer's cluster is unavailable", async () => {
    const overlapped = harness({ regions: 3 });
    overlapped.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    overlapped.mem.database.unavailable.add("us-east-1");
    overlapped.mem.stack.updateMs = 20_000;
    const result = await run(overlapped, failoverSteps(true));
    expect(result.outcome).toBe("succeeded");
    const order = (h: Harness) =>
      h.mem.log.entries
        .filter((e) => (e.port === "stack" && e.action === "up") || e.action === "removeFromGlobal")
        .map((e) => `${e.action}@${e.at - h.mem.log.entries[0].at}`);
    // The detach starts at once; the fence's update lands 20 s later.
    expect(order(overlapped)).toEqual(["removeFromGlobal@0", "up@20000"]);
    expect(overlapped.stored()).toMatchObject({
      writer: "us-west-2",
      detachedWriter: { region: "us-west-2" },
    });

    // A reachable old writer is fenced first.
    const reachable = harness({ regions: 3 });
    reachable.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    reachable.mem.stack.updateMs = 20_000;
    await run(reachable, failoverSteps(true));
    expect(order(reachable)).toEqual(["up@20000", "removeFromGlobal@20000"]);
  });

  it("dbFailover overlapping: a failed fence keeps the detached writer in the state for a reconcile", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    h.mem.database.unavailable.add("us-east-1");
    h.mem.stack.failUp = () => new Error("provider crashed");
    const result = await run(h, failoverSteps(true));
    expect(result).toMatchObject({ outcome: "failed", failedStep: "db" });
    expect(result.reason).toMatch(
      /us-west-2 detached and promoted, but the applications could not be pointed away/,
    );
    expect(h.stored().writer).toBe("us-west-2");
    expect(h.mem.database.detached.has("us-west-2")).toBe(true);
  });

  it("fenceCluster stops the cluster through its own region, then drops it from the fence list", async () => {
    const item = {
      region: "us-east-1",
      clusterIdentifier: "dev-us-east-1",
      reason: "old writer",
      queuedAt: "x",
    };
    const fenceStep: Step = {
      kind: "fenceCluster",
      id: "fence",
      description: "stop",
      region: "us-east-1",
      clusterIdentifier: "dev-us-east-1",
    };
    const state = (config: Harness["config"]) => ({
      ...initialState(config),
      writer: "us-west-2",
      fenceOnReturn: [item],
    });

    const h = harness({ regions: 3 });
    await h.mem.state.write(state(h.config), null);
    expect((await run(h, [fenceStep])).outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "fenceCluster")).toEqual([
      expect.objectContaining({ detail: { region: "us-east-1", via: "us-east-1" } }),
    ]);
    expect(h.mem.database.fenced.has("us-east-1")).toBe(true);
    expect(h.stored().fenceOnReturn).toEqual([]);

    // A fence that fails stays on the list, for the next repair to try again.
    const refused = harness({ regions: 3 });
    await refused.mem.state.write(state(refused.config), null);
    refused.mem.database.failFence = Object.assign(new Error("not allowed"), {
      name: "InvalidDBClusterStateFault",
    });
    expect((await run(refused, [fenceStep])).outcome).toBe("failed");
    expect(refused.stored().fenceOnReturn).toEqual([item]);
  });

  it("dbFailover: a detach that fails leaves the state naming the writer the database still has", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    h.mem.database.failRemove = new Error("InvalidDBClusterStateFault");
    const result = await run(h, failoverSteps(true));
    expect(result).toMatchObject({ outcome: "failed", failedStep: "db" });
    expect(result.reason).toMatch(/and so did detaching it/);
    expect(h.stored().writer).toBe("us-east-1");
    expect(h.mem.database.writer).toBe("us-east-1");
  });

  it("dbFailover does not detach a target that failed while the fence's update ran", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    // The watcher finds the target failing once the fence's stack update has started.
    const result = await runPlan(
      plan(failoverSteps(true)),
      h.options({ impaired: () => (h.mem.stack.calls.length > 0 ? ["us-west-2"] : []) }),
    );
    expect(result).toMatchObject({ outcome: "failed", failedStep: "db" });
    expect(result.reason).toMatch(/us-west-2 failed while it was being promoted; fail over again/);
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([]);
    expect(h.stored().writer).toBe("us-east-1");
    expect(h.mem.database.writer).toBe("us-east-1");
  });

  it("dbFailover retries transient API errors before it gives up on the managed failover", async () => {
    const h = harness({ regions: 3 });
    let failures = 3;
    const real = h.mem.database.failover.bind(h.mem.database);
    h.mem.database.failover = async (to, via) => {
      if (failures-- > 0) throw Object.assign(new Error("rate exceeded"), { name: "ThrottlingException" });
      return real(to, via);
    };
    const result = await run(h, failoverSteps(true));

    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([]);
    expect(h.mem.database.writer).toBe("us-west-2");
    const retries = h.progress.filter((p) =>
      /FailoverGlobalCluster failed \(rate exceeded\); retry/.test(p.message),
    );
    expect(retries.map((p) => p.message.replace(/.*retry /, "retry "))).toEqual([
      "retry 1 of 5 in 0.5 s",
      "retry 2 of 5 in 1 s",
      "retry 3 of 5 in 2 s",
    ]);
  });

  it("dbFailover treats a refusal as final: no retry, straight to the detach fallback", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = Object.assign(new Error("not a member"), { name: "InvalidParameterValue" });
    const result = await run(h, failoverSteps(true));
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "failover")).toHaveLength(1);
    expect(h.mem.log.of("database", "removeFromGlobal")).toHaveLength(1);
  });

  it("stackUpdate retries a failed update as often as the step allows, with backoff", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.failUp = (_call, n) =>
      n <= 2 ? new Error("ChangeResourceRecordSets: Throttling") : undefined;
    const result = await run(h, [
      { kind: "stackUpdate", id: "up", description: "update", excludes: ["us-east-1"], attempts: 4 },
    ]);
    expect(result.outcome).toBe("succeeded");
    const ups = h.mem.log.entries.filter((e) => e.port === "stack" && e.action.startsWith("up"));
    expect(ups.map((e) => e.action)).toEqual(["up-failed", "up-failed", "up"]);
    expect(ups[1].at - ups[0].at).toBe(2_000);
    expect(ups[2].at - ups[1].at).toBe(4_000);

    // The plan's refresh flag reaches the engine (a repair's update refreshes first).
    const refreshed = harness({ regions: 3 });
    await run(refreshed, [
      { kind: "stackUpdate", id: "up", description: "update", targets: ["us-west-2"], refresh: true },
      { kind: "stackUpdate", id: "up2", description: "update", targets: ["us-west-2"] },
    ]);
    expect(refreshed.mem.stack.calls.map((c) => c.refresh ?? false)).toEqual([true, false]);

    const once = harness({ regions: 3 });
    once.mem.stack.failUp = () => new Error("provider crashed");
    const failed = await run(once, [{ kind: "stackUpdate", id: "up", description: "update" }]);
    expect(failed.outcome).toBe("failed");
    expect(once.mem.log.of("stack", "up-failed")).toHaveLength(1);
  });

  it("dbFailover without the fallback fails", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault");
    const result = await run(h, failoverSteps(false));
    expect(result).toMatchObject({ outcome: "failed", failedStep: "db" });
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([]);
  });

  it("dbFailover does not fail over again while a promotion is under way (resumed run)", async () => {
    const h = harness({ regions: 3 });
    await h.mem.database.failover("us-west-2", "us-west-2");
    const result = await run(h, failoverSteps(true));
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "failover")).toHaveLength(1);
  });

  it.each([
    [120, /lag 120 s, limit 60 s/],
    [null, /lag unknown/],
  ])("dbSwitchover refuses when the lag is %s", async (lag, message) => {
    const h = harness({ regions: 3 });
    h.mem.database.lag["us-west-2"] = lag;
    const result = await run(h, [
      { kind: "dbSwitchover", id: "sw", description: "switch", to: "us-west-2", maxLagSeconds: 60 },
    ]);
    expect(result.outcome).toBe("failed");
    expect(result.reason).toMatch(message);
    expect(h.mem.log.of("database", "switchover")).toEqual([]);
  });

  it("dbSwitchover switches when the lag is within bounds", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.lag["us-west-2"] = 0.2;
    const result = await run(h, [
      { kind: "dbSwitchover", id: "sw", description: "switch", to: "us-west-2", maxLagSeconds: 60 },
      { kind: "awaitWriter", id: "await", description: "wait", region: "us-west-2", timeoutSeconds: 120 },
    ]);
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "switchover")).toEqual([
      expect.objectContaining({ detail: { to: "us-west-2", via: "us-west-2" } }),
    ]);
  });

  it("awaitWriter fails at its timeout", async () => {
    const h = harness({ regions: 3 });
    const result = await run(h, [
      { kind: "awaitWriter", id: "await", description: "wait", region: "eu-west-1", timeoutSeconds: 30 },
    ]);
    expect(result.outcome).toBe("failed");
    expect(result.reason).toMatch(/eu-west-1 did not become the writer within 30 s \(writer us-east-1/);
    expect(h.mem.log.of("database", "describe").every((e) => e.detail.via === "eu-west-1")).toBe(true);
  });

  it("awaitWriter abandons a target that dies mid-promotion within the detection time", async () => {
    const h = harness({ regions: 3 });
    const { intervalSeconds } = h.config.dns.healthCheck;
    const detectionSeconds = h.config.failover.failureThreshold * intervalSeconds;
    const describe = h.mem.database.describe.bind(h.mem.database);
    h.mem.database.describe = async (via: string) => {
      if (via === "eu-west-1") throw new Error("connect ETIMEDOUT");
      return describe(via);
    };
    const start = h.mem.clock.now();
    const result = await run(h, [
      { kind: "awaitWriter", id: "await", description: "wait", region: "eu-west-1", timeoutSeconds: 900 },
    ]);
    expect(result.outcome).toBe("failed");
    expect(result.reason).toMatch(/eu-west-1 abandoned: unreachable for \d+ s while taking the writer/);
    const waitedSeconds = (h.mem.clock.now() - start) / 1000;
    expect(waitedSeconds).toBeGreaterThanOrEqual(detectionSeconds);
    expect(waitedSeconds).toBeLessThan(detectionSeconds + 10);
  });

  it("awaitWriter that gives up on a live target names the writer the database kept", async () => {
    // A switchover names its target the writer as soon as Aurora accepts it; Aurora kept us-east-1.
    const h = harness({
      regions: 3,
      state: { ...initialState(sampleConfig({ regions: 3 })), writer: "eu-west-1" },
    });
    h.mem.database.writer = "us-east-1";
    h.mem.database.lag = { "us-west-2": 0.5, "eu-west-1": 0.5 };
    const result = await run(h, [
      { kind: "awaitWriter", id: "await", description: "wait", region: "eu-west-1", timeoutSeconds: 30 },
    ]);
    expect(result.outcome).toBe("failed");
    expect(h.stored().writer).toBe("us-east-1");
  });

  it("dbFailover waits out a writer change towards another region, then fails over to its own target", async () => {
    // A switchover towards us-west-2 is under way (its target then died): taking that change for
    // this failover would wait for a writer that never comes.
    const h = harness({ regions: 3 });
    await h.mem.database.switchover("us-west-2", "us-west-2");
    const start = h.mem.clock.now();
    const result = await run(h, [
      {
        kind: "dbFailover",
        id: "db",
        description: "promote eu-west-1",
        to: "eu-west-1",
        detachFallback: true,
      },
      { kind: "awaitWriter", id: "await", description: "wait", region: "eu-west-1", timeoutSeconds: 900 },
    ]);
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.database.writer).toBe("eu-west-1");
    expect(h.mem.log.of("database", "failover")).toEqual([
      expect.objectContaining({ detail: { to: "eu-west-1", via: "eu-west-1" } }),
    ]);
    expect(h.mem.log.of("database", "removeFromGlobal")).toEqual([]);
    // The switchover's 30 s, then the failover's 30 s, polled every 5 s: not the 900 s timeout.
    expect((h.mem.clock.now() - start) / 1000).toBeLessThan(75);
  });

  it("dbFailover does not issue a second failover when the change in progress is its own", async () => {
    const h = harness({ regions: 3 });
    await h.mem.database.failover("us-west-2", "us-west-2");
    const result = await run(h, failoverSteps(true));
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.of("database", "failover")).toHaveLength(1);
    expect(h.mem.database.writer).toBe("us-west-2");
  });

  it("awaitWriter keeps waiting while the target answers, however slowly it promotes", async () => {
    const h = harness({ regions: 3 });
    h.mem.database.promotionMs = 120_000;
    const result = await run(h, failoverSteps(true));
    expect(result.outcome).toBe("succeeded");
  });

  it("a region that fails while an update runs is left out and the update re-planned without it", async () => {
    const h = harness({ regions: 3 });
    const failing: string[] = [];
    h.mem.stack.failUp = (call, n) => {
      if (n !== 1) return undefined;
      // The first update meets eu-west-1 going dark; the watcher's verdict follows.
      failing.push("eu-west-1");
      return call.excludes?.includes("eu-west-1") === true
        ? undefined
        : new Error("eu-west-1: the Kubernetes and AWS APIs did not answer");
    };
    const result = await runPlan(
      plan([{ kind: "stackUpdate", id: "stack", description: "render" }]),
      h.options({ impaired: () => failing }),
    );
    expect(result.outcome).toBe("succeeded");
    const ups = h.mem.stack.calls.filter((c) => c.op === "up");
    expect(ups.map((c) => c.excludes)).toEqual([undefined, ["eu-west-1"]]);
  });

  it("a person's render of every region looks first: a region down is left out, its update queued for the watcher", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) => region !== "eu-west-1";
    const result = await runPlan(
      plan([{ kind: "stackUpdate", id: "stack", description: "render" }], "switchover"),
      h.options(),
    );
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.stack.calls.filter((c) => c.op === "up").map((c) => c.excludes)).toEqual([["eu-west-1"]]);
    expect(h.stored().deferredStackUpdate).toMatchObject({
      operationId: "op-switchover",
      lastError: "eu-west-1 failing: left out of the update",
    });

    // Once the region answers, a render of every region clears the pending update.
    h.mem.health.policy = () => true;
    await runPlan(plan([{ kind: "stackUpdate", id: "stack", description: "render" }], "sync"), h.options());
    expect(h.mem.stack.calls.filter((c) => c.op === "up").at(-1)?.excludes).toBeUndefined();
    expect(h.stored().deferredStackUpdate ?? null).toBeNull();
  });

  it("an update that fails with no newly failing region still fails", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.failUp = () => new Error("provider crashed");
    const result = await runPlan(
      plan([{ kind: "stackUpdate", id: "stack", description: "render" }]),
      h.options({ impaired: () => ["eu-west-1"] }),
    );
    expect(result.outcome).toBe("failed");
    expect(result.reason).toMatch(/provider crashed/);
  });

  it("a sync of a region failing now is skipped, not called, and left to the schedule", async () => {
    const h = harness({ regions: 3 });
    const result = await runPlan(
      plan([{ kind: "syncRun", id: "s1", description: "sync", region: "eu-west-1" }]),
      h.options({ impaired: () => ["eu-west-1"] }),
    );
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.log.entries.filter((e) => e.port === "sync")).toEqual([]);
    expect(h.stored().sync["eu-west-1"]).toMatchObject({ status: "error", lastError: "region failing" });
  });

  it("syncRun records the watermark, or the error and the next retry", async () => {
    const h = harness({ regions: 3 });
    h.mem.sync.policy = (region, now) =>
      region === "eu-west-1"
        ? { ok: false, watermark: null, detail: "connection refused" }
        : { ok: true, watermark: new Date(now - 5_000).toISOString(), detail: "1200 rows" };
    const ok = await run(h, [{ kind: "syncRun", id: "s1", description: "sync", region: "us-west-2" }]);
    expect(ok.outcome).toBe("succeeded");
    expect(h.stored().sync["us-west-2"]).toEqual({
      lastSync: new Date(h.mem.clock.now() - 5_000).toISOString(),
      status: "idle",
      lastError: null,
      nextRunAt: null,
    });

    const bad = await runPlan(
      { ...plan([{ kind: "syncRun", id: "s2", description: "sync", region: "eu-west-1" }]), id: "op-2" },
      h.options(),
    );
    expect(bad.outcome).toBe("failed");
    expect(h.stored().sync["eu-west-1"]).toMatchObject({
      status: "error",
      lastError: "connection refused",
      nextRunAt: new Date(h.mem.clock.now() + h.config.sync.retrySeconds * 1000).toISOString(),
    });
  });

  it("parallel runs branches at once and fails when one fails, after the others finish", async () => {
    const h = harness({ regions: 3 });
    const start = h.mem.clock.now();
    const ok = await run(h, [
      {
        kind: "parallel",
        id: "par",
        description: "both",
        branches: [
          [{ kind: "wait", id: "w1", description: "w1", seconds: 60 }],
          [
            { kind: "wait", id: "w2", description: "w2", seconds: 60 },
            { kind: "syncRun", id: "s", description: "s", region: "us-west-2" },
          ],
        ],
      },
    ]);
    expect(ok.outcome).toBe("succeeded");
    expect(h.mem.clock.now() - start).toBe(60_000);

    h.mem.database.failFailover = new Error("nope");
    const bad = await runPlan(
      {
        ...plan([
          {
            kind: "parallel",
            id: "par",
            description: "both",
            branches: [
              [{ kind: "dbFailover", id: "db", description: "db", to: "eu-west-1", detachFallback: false }],
              [{ kind: "syncRun", id: "s", description: "s", region: "eu-west-1" }],
            ],
          },
        ]),
        id: "op-3",
      },
      h.options(),
    );
    expect(bad.outcome).toBe("failed");
    expect(bad.reason).toMatch(/branch 1 step db: managed failover to eu-west-1 failed: nope/);
    expect(h.mem.log.of("sync", "run").map((e) => e.detail.region)).toEqual(["us-west-2", "eu-west-1"]);
  });

  it("stackUpdate never targets a region the live state excludes, whatever the plan said", async () => {
    const base = initialState(harness({ regions: 3 }).config);
    const state = {
      ...base,
      regions: { ...base.regions, "eu-west-1": { ...base.regions["eu-west-1"], excluded: true } },
    };
    const h = harness({ regions: 3, state });
    await run(h, [
      { kind: "stackUpdate", id: "u1", description: "u1", targets: ["us-west-2", "eu-west-1"] },
      { kind: "stackUpdate", id: "u2", description: "u2" },
      { kind: "stackUpdate", id: "u3", description: "u3", targets: ["eu-west-1"] },
    ]);
    expect(h.mem.stack.calls.map((c) => [c.targets, c.excludes])).toEqual([
      [["us-west-2"], ["eu-west-1"]],
      [undefined, ["eu-west-1"]],
    ]);
    expect(
      h
        .stored()
        .history.at(-1)
        ?.steps.find((s) => s.id === "u3")?.detail,
    ).toMatch(/nothing to update/);
  });

  it("patchState writes the writer and regions; the state revision grows with every write", async () => {
    const h = harness({ regions: 3 });
    await run(h, [
      {
        kind: "patchState",
        id: "p",
        description: "p",
        patch: { writer: "us-west-2", regions: { "eu-west-1": { drained: true } } },
      },
    ]);
    const s = h.stored();
    expect(s.writer).toBe("us-west-2");
    expect(s.regions["eu-west-1"].drained).toBe(true);
    expect(s.revision).toBe(h.mem.state.writes);
  });
});
