import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { type OperationRecord, type OperationalState, initialState } from "../../components/operationalState";
import { sampleRawConfig } from "../support/sampleConfig";
import { TICK_MS, watchRig } from "./watchHarness";

const raw = sampleRawConfig({ regions: 3 });
const auto = parseConfig({ ...raw, failover: { mode: "auto" } });
const manual = parseConfig({ ...raw, failover: { mode: "manual" } });
const [USE1, USW2, EUW1] = ["us-east-1", "us-west-2", "eu-west-1"];

describe("watcher: failover of the writer", () => {
  it("auto mode: after three failed observations it fails over to the least-lagging healthy secondary", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.database.lag = { [USW2]: 3, [EUW1]: 1 };
    await rig.ticks(2);
    const faultAt = rig.mem.clock.now();
    rig.up[USE1] = false;

    const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    expect(reports).toHaveLength(3);
    const decision = reports.at(-1)?.decisions.find((d) => d.kind === "failover");
    expect(decision).toMatchObject({ action: "started", region: EUW1 });
    const done = await rig.watcher.settled();
    expect(done.map((c) => [c.kind, c.outcome])).toEqual([["failover", "succeeded"]]);

    const state = rig.stored();
    expect(state.writer).toBe(EUW1);
    expect(state.regions[USE1]).toMatchObject({ drained: true, excluded: true });
    expect(rig.mem.database.writer).toBe(EUW1);
    // The promotion went through the target region, never the failed one.
    const dbCalls = rig.mem.log.of("database").filter((e) => e.at >= faultAt);
    expect(dbCalls.filter((e) => e.action === "failover").map((e) => e.detail)).toEqual([
      { to: EUW1, via: EUW1 },
    ]);
    expect(dbCalls.every((e) => e.detail.via !== USE1)).toBe(true);
    // Every stack update since the fault left the failed region's resources alone.
    const ups = rig.mem.stack.calls.filter((c) => c.op === "up");
    expect(ups.length).toBeGreaterThan(0);
    for (const c of ups) expect(c.excludes).toContain(USE1);
    // The other secondary was synced from the new writer.
    expect(rig.mem.log.of("sync", "run").map((e) => e.detail.region)).toEqual([USW2]);

    // RPO = the target's lag at the fault; RTO from the first failed observation.
    const incident = state.incidents.at(-1);
    expect(incident).toMatchObject({ kind: "failover", from: USE1, to: EUW1, rpoSeconds: 1 });
    expect(incident?.faultAt).toBe(new Date(faultAt).toISOString());
    const recovered = Date.parse(incident?.recoveredAt ?? "");
    expect(incident?.rtoSeconds).toBeCloseTo((recovered - faultAt) / 1000 + auto.dns.ttl, 1);
    // Detection (3 ticks) + promotion (30 s in the fake) + TTL, and not much more.
    expect(incident?.rtoSeconds).toBeGreaterThanOrEqual(20 + 30 + 60);
    expect(incident?.rtoSeconds).toBeLessThan(20 + 30 + 60 + 30);
  });

  it("a sync run failing after the move does not undo the recovery: the incident closes at the move", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.sync.runMs = 120_000;
    rig.mem.sync.policy = () => ({ ok: false, watermark: null, detail: "BackoffLimitExceeded" });
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    const [done] = await rig.watcher.settled();
    expect(done.outcome).toBe("failed");
    expect(done.reason).toMatch(/failover\/sync/);
    const state = rig.stored();
    expect(state.writer).not.toBe(USE1);
    const move = state.history.at(-1)?.steps.find((s) => s.id === "failover/move");
    const incident = state.incidents.at(-1);
    expect(incident?.recoveredAt).toBe(move?.finishedAt);
    // The sync it could not finish is retried later, not forgotten.
    const other = [USW2, EUW1].find((r) => r !== state.writer) as string;
    expect(state.sync[other]).toMatchObject({ status: "error", lastError: "BackoffLimitExceeded" });
    expect(state.sync[other].nextRunAt).not.toBeNull();
  });

  it("manual mode: reports the decision and the exact command, exits 3 (waiting for a person), and changes nothing", async () => {
    const rig = watchRig(manual, {}, initialState(manual));
    rig.mem.database.lag = { [USW2]: 0.2, [EUW1]: 4 };
    rig.up[USE1] = false;
    const reports = await rig.ticks(4);
    const last = reports.at(-1);
    const decision = last?.decisions.find((d) => d.kind === "failover");
    expect(decision).toMatchObject({
      action: "reported",
      region: USW2,
      command: "regionctl failover --stack dev --to us-west-2",
    });
    expect(last?.exitCode).toBe(3);
    expect(last?.waitingForPerson).toBe(true);
    expect(reports[0].exitCode).toBe(0);
    expect(rig.watcher.running).toBeNull();
    expect(rig.mem.log.of("database", "failover")).toEqual([]);
    expect(rig.mem.stack.calls.filter((c) => c.op === "up")).toEqual([]);
    expect(rig.stored().writer).toBe(USE1);
  });

  it("reports a refusal (exit 1) when no secondary may take the writer", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.database.lag = { [USW2]: 120, [EUW1]: 300 };
    rig.up[USE1] = false;
    const last = (await rig.ticks(3)).at(-1);
    expect(last?.decisions.find((d) => d.kind === "failover")).toMatchObject({
      action: "refused",
      rule: "lag-within-bound",
    });
    expect(last?.exitCode).toBe(1);
    expect(rig.mem.log.of("database", "failover")).toEqual([]);
  });

  it("falls back to detach-and-promote when the managed failover is impossible", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.database.failFailover = new Error(
      "InvalidGlobalClusterStateFault: the global cluster is unavailable",
    );
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    const [done] = await rig.watcher.settled();
    expect(done.outcome).toBe("succeeded");
    const target = rig.stored().writer;
    expect(target).not.toBe(USE1);
    expect(rig.mem.log.of("database", "removeFromGlobal").map((e) => e.detail)).toEqual([
      { region: target, via: target },
    ]);
    // The rest of the environment is queued to be rebuilt as secondaries of the new writer.
    expect(
      rig
        .stored()
        .replicationQueue.map((q) => q.region)
        .sort(),
    ).toEqual([USE1, USW2, EUW1].filter((r) => r !== target).sort());
  });

  it("a failover killed halfway resumes from its first unfinished step, with nothing done twice", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    const kill = new AbortController();
    rig.watcher = rig.newWatcher({ signal: kill.signal });
    // Kill the process right after the traffic branch's stack update, while the database promotes.
    rig.mem.stack.afterUp = () => kill.abort(new Error("killed"));
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    const [killed] = await rig.watcher.settled();
    expect(killed.outcome).toBe("error");
    const midway = rig.stored();
    expect(midway.operation?.kind).toBe("failover");
    expect(midway.operation?.phase).toBe("running");
    expect(rig.mem.log.of("database", "failover")).toHaveLength(1);
    const target = rig.mem.log.of("database", "failover")[0].detail.to as string;
    // The database is still promoting: the state keeps naming the writer the database has.
    expect(midway.writer).toBe(USE1);
    expect(midway.regions[USE1]).toMatchObject({ drained: true, excluded: true });

    // The dead process's lease is still there: nobody resumes until it expires.
    await rig.mem.state.acquireLease("dead-process", "failover", 60_000);
    rig.mem.stack.afterUp = undefined;
    rig.watcher = rig.newWatcher();
    const waiting = await rig.watcher.tick();
    expect(waiting.decisions[0]).toMatchObject({ kind: "operation", action: "deferred" });
    await rig.mem.clock.sleep(60_000);

    const resumed = await rig.until((r) => r.decisions.some((d) => d.kind === "resume"));
    expect(resumed.at(-1)?.decisions[0].operationId).toBe(midway.operation?.id);
    const [done] = await rig.watcher.settled();
    expect(done.outcome).toBe("succeeded");

    const state = rig.stored();
    expect(state.operation).toBeNull();
    expect(state.writer).toBe(target);
    expect(rig.mem.database.writer).toBe(target);
    // The managed failover was issued once; the resumed step saw it in progress and waited.
    expect(rig.mem.log.of("database", "failover")).toHaveLength(1);
    const record = state.history.at(-1);
    expect(record?.phase).toBe("succeeded");
    const ids = record?.steps.map((s) => s.id) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
    const other = [USW2, EUW1].find((r) => r !== target);
    expect(ids).toEqual(["failover/move", "failover/stack", `failover/sync/${other}`]);
    expect(done.kind).toBe("failover");
    expect(state.incidents.at(-1)).toMatchObject({ kind: "failover", from: USE1, to: target });
    expect(state.incidents.at(-1)?.recoveredAt).not.toBeNull();
  });

  it("concurrent ticks share one observation and one decision", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.up[USE1] = false;
    await rig.ticks(2);
    const observed = rig.mem.log.of("health", "observe").length;
    const [a, b] = await Promise.all([rig.watcher.tick(), rig.watcher.tick()]);
    expect(a).toBe(b);
    expect(rig.mem.log.of("health", "observe").length).toBe(observed + 1);
    await rig.watcher.settled();
    expect(rig.mem.log.of("database", "failover")).toHaveLength(1);
  });

  it("keeps observing while the failover runs, and starts no second operation", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.database.promotionMs = 120_000;
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    await rig.mem.clock.sleep(TICK_MS);
    const during = await rig.watcher.tick();
    expect(during.decisions).toEqual([expect.objectContaining({ kind: "operation", action: "deferred" })]);
    expect(Object.keys(during.regions)).toHaveLength(3);
    await rig.watcher.settled();
    expect(rig.mem.log.of("database", "failover")).toHaveLength(1);
  });
});

describe("watcher: a failover that fails is tried again", () => {
  it("when the promotion fails, the state keeps the writer the database has and the watcher retries at once, then backing off", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    rig.mem.database.failFailover = new Error("InvalidGlobalClusterStateFault: the global cluster is busy");
    rig.mem.database.failRemove = new Error("InvalidDBClusterStateFault: the cluster is busy");
    rig.up[USE1] = false;
    const starts: number[] = [];
    const deferred: string[] = [];
    for (let i = 0; i < 40 && starts.length < 4; i++) {
      const r = await rig.watcher.tick();
      for (const d of r.decisions) {
        if (d.kind === "failover" && d.action === "started") starts.push(rig.mem.clock.now());
        if (d.kind === "failover" && d.action === "deferred") deferred.push(d.summary);
      }
      const done = await rig.watcher.settled();
      for (const c of done.filter((x) => x.outcome === "failed")) {
        // The database still has its old writer, and so does the state: nothing to undo.
        expect(c.reason).toMatch(/detaching it/);
        expect(rig.stored().writer).toBe(USE1);
        expect(rig.mem.database.writer).toBe(USE1);
      }
      if (starts.length === 3) {
        // The cause passes: the fourth attempt goes through.
        rig.mem.database.failFailover = undefined;
        rig.mem.database.failRemove = undefined;
      }
      await rig.mem.clock.sleep(TICK_MS);
    }
    expect(starts).toHaveLength(4);
    // The first retry is not deferred: it plans afresh at the next tick.
    expect(deferred.join("\n")).not.toMatch(/1 failover attempt\(s\) failed/);
    expect(deferred.join("\n")).toMatch(/3 failover attempt\(s\) failed, the next starts in \d+ s/);
    expect(starts[1] - starts[0]).toBe(TICK_MS);
    // Backing off from the second retry: the wait grows.
    expect(starts[3] - starts[2]).toBeGreaterThan(starts[2] - starts[1]);
    await rig.watcher.settled();
    expect(rig.stored().writer).not.toBe(USE1);
    expect(rig.mem.database.writer).toBe(rig.stored().writer);
    expect(
      rig
        .stored()
        .history.filter((h) => h.kind === "failover")
        .map((h) => h.phase),
    ).toEqual(["failed", "failed", "failed", "succeeded"]);
  });

  it("when only the stack update fails, the failover stands and its deferred update renders it once the stack answers", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    // Every update fails until the stack answers again.
    let failing = true;
    rig.mem.stack.failUp = () => (failing ? new Error("ChangeResourceRecordSets: Throttling") : undefined);
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover" && d.action === "started"));
    const [first] = await rig.watcher.settled();
    // Route 53's checkers move clients off the failed region on their own: the move stands.
    expect(first.outcome).toBe("succeeded");
    const target = rig.mem.database.writer as string;
    expect(target).not.toBe(USE1);
    expect(rig.stored().writer).toBe(target);
    expect(rig.stored().incidents.at(-1)?.recoveredAt).not.toBeNull();
    expect(rig.stored().deferredStackUpdate).toMatchObject({
      operationId: first.operationId,
      stepId: "failover/traffic",
      attempts: 1,
    });
    // The render after the move did not hammer the stack again in the same operation.
    const steps = rig.stored().history.find((h) => h.id === first.operationId)?.steps ?? [];
    expect(steps.find((x) => x.id === "failover/stack")?.detail).toMatch(/^deferred with failover\/traffic/);
    failing = false;
    const reports = await rig.until((r) =>
      r.decisions.some((d) => d.kind === "reconcile" && d.action === "started"),
    );
    expect(reports.at(-1)?.decisions.find((d) => d.kind === "reconcile")?.summary).toMatch(
      new RegExp(`retry the stack update ${first.operationId} deferred .*render the writer ${target}`),
    );
    const [done] = await rig.watcher.settled();
    expect(done.outcome).toBe("succeeded");
    expect(rig.mem.stack.deployed[target].dns.failoverRole).toBe("PRIMARY");
    expect(rig.stored().deferredStackUpdate ?? null).toBeNull();
    // Nothing left to finish: no more reconciles.
    const later = await rig.ticks(3);
    expect(later.flatMap((r) => r.decisions).some((d) => d.kind === "reconcile")).toBe(false);
  });
});

describe("watcher: failover past a stuck operation", () => {
  function withOperation(phase: OperationRecord["phase"]): OperationalState {
    const state = initialState(auto);
    return {
      ...state,
      operation: {
        id: "deploy-1.1.0",
        kind: "deploy",
        plan: { id: "deploy-1.1.0", kind: "deploy", summary: "x", steps: [], compensation: [], regions: [] },
        before: state.regions,
        writerBefore: USE1,
        phase,
        cursor: 0,
        steps: [],
        startedAt: new Date(0).toISOString(),
        finishedAt: null,
        reason:
          phase === "failed"
            ? "rollback step rollback/restore failed: us-east-1 did not answer"
            : "inconclusive",
      },
    };
  }

  for (const phase of ["failed", "paused"] as const) {
    it(`supersedes a ${phase} release when the writer goes down, and fails over`, async () => {
      const rig = watchRig(auto, {}, withOperation(phase));
      rig.up[USE1] = false;
      const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
      expect(reports.at(-1)?.decisions).toContainEqual(
        expect.objectContaining({
          kind: "operation",
          action: "recorded",
          summary: expect.stringMatching(/deploy deploy-1.1.0 superseded by failover/),
        }),
      );
      const [done] = await rig.watcher.settled();
      expect(done.outcome).toBe("succeeded");
      const state = rig.stored();
      expect(state.writer).not.toBe(USE1);
      const superseded = state.history.find((h) => h.id === "deploy-1.1.0");
      expect(superseded).toMatchObject({
        phase: "aborted",
        reason: expect.stringMatching(/writer us-east-1 is unhealthy/),
      });
    });
  }

  it("never supersedes an operation that is running under a live lease: the failover waits for it", async () => {
    const rig = watchRig(auto, {}, withOperation("running"));
    await rig.mem.state.acquireLease("ci-runner", "deploy-1.1.0", 3_600_000);
    rig.up[USE1] = false;
    const reports = await rig.ticks(5);
    expect(reports.flatMap((r) => r.decisions).some((d) => d.kind === "failover")).toBe(false);
    expect(reports.at(-1)?.notes.join("\n")).toMatch(/the failover waits for deploy deploy-1.1.0/);
    expect(rig.stored().operation?.id).toBe("deploy-1.1.0");
  });
});
