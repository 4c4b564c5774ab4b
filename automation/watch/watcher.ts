import type { EnvironmentConfig } from "../../components/config";
import {
  type OperationRecord,
  type OperationalState,
  reconcileState,
} from "../../components/operationalState";
import { type OperationResult, resumeOperation, runPlan } from "../executor";
import { regionEndpoints } from "../gates/endpoints";
import { getActiveRegions } from "../health/activeRegions";
import { type HealthView, healthView, regionAvailable } from "../health/healthView";
import { healthSettings } from "../health/settings";
import {
  type HealthEvent,
  type HealthTracker,
  type RegionHealth,
  initialTracker,
  observeSamples,
} from "../health/tracker";
import { failbackTarget } from "../plans/failback";
import { planFailover } from "../plans/failover";
import {
  drainedByController,
  planDrain,
  planHoldOut,
  planReadmit,
  readmitBlocker,
} from "../plans/failoverTraffic";
import {
  DEFAULT_REPLICATION_SETTINGS,
  type ReplicationSettings,
  type ResyncMemory,
  dueRepairs,
  enqueueRepair,
  observeReplication,
  planRepair,
  recordRepairAttempt,
  resolveRepairs,
} from "../plans/replication";
import { MOVE_KINDS, failedMove, planReconcile } from "../plans/reconcile";
import { type Plan, type PlanResult, isRefusal } from "../plans/steps";
import { checkSwitchover } from "../plans/switchover";
import { dueSyncRetries, ensureRetryScheduled, planSync } from "../plans/sync";
import {
  type GlobalClusterView,
  type Lease,
  LeaseHeldError,
  type Ports,
  type RegionEndpoint,
} from "../ports";
import { describeThroughHealthy } from "./describeDatabase";
import { closeIncident, openIncident, recoveredAt } from "./incidents";
import { FAILOVER_BACKOFF, RECONCILE_BACKOFF, retryTiming } from "./retryBackoff";
import { PREEMPTED_BY_FAILOVER, preemptOperation } from "./preempt";
import { supersedable, supersedeOperation } from "./supersede";
import { updateStateUnderLease } from "./stateUpdate";

/**
 * The watcher: one `tick()` observes every region at once, folds the samples into the health
 * tracker and decides. The writer unhealthy: fail over (auto) or report the exact command (manual,
 * exit 1). A flapping secondary: hold it out for its cooldown; a recovered one: readmit it. Then the
 * replication retry queue and the sync retries. One operation at a time, always through the
 * executor, in the background, so ticks keep observing while it runs; `settled()` waits for it.
 *
 * Time comes only from `ports.clock`, and concurrent `tick()` calls share one run, so the drill
 * can drive the watcher on its virtual clock.
 */

export interface WatcherOptions {
  readonly config: EnvironmentConfig;
  readonly ports: Ports;
  /** Who acts, for the lease and the records. */
  readonly holder: string;
  /** The stack name, for the commands the watcher prints. */
  readonly stack?: string;
  /** Default: every configured region's endpoint (no Route 53 health check ids). */
  readonly endpoints?: readonly RegionEndpoint[];
  /** Jitter source for repair backoff; seed it for reproducible runs. Default Math.random. */
  readonly random?: () => number;
  readonly replication?: Partial<ReplicationSettings>;
  /** Seconds between replication checks of the global database. Default 60. */
  readonly databaseCheckSeconds?: number;
  /** Progress lines (operations' steps, decisions). */
  readonly onEvent?: (line: string) => void;
  /** Stops background operations where they are (they stay in flight for `resume`). */
  readonly signal?: AbortSignal;
  readonly leaseTtlMs?: number;
  /** Rewrites each plan before it runs (the drill's baseline runs failover steps one after another). */
  readonly transformPlan?: (plan: Plan) => Plan;
}

export type DecisionKind =
  | "failover"
  | "holdout"
  | "readmit"
  | "repair"
  | "sync-retry"
  | "resume"
  | "failback-ready"
  | "operation"
  | "replication"
  | "reconcile"
  | "preempt";

export interface Decision {
  readonly kind: DecisionKind;
  /** started: an operation began; reported: a person must act; refused: a safety rule said no; deferred: later. */
  readonly action: "started" | "reported" | "refused" | "deferred" | "recorded";
  readonly summary: string;
  readonly region?: string;
  readonly operationId?: string;
  /** The exact command a person runs. */
  readonly command?: string;
  readonly rule?: string;
}

export interface CompletedOperation {
  readonly operationId: string;
  readonly kind: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly summary: string;
}

export interface RegionReport {
  readonly healthy: boolean;
  readonly heldOutUntil: string | null;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly signals: RegionHealth["signals"];
  readonly detail: string;
  readonly serving: boolean;
}

export interface TickReport {
  readonly at: string;
  readonly writer: string;
  readonly mode: "auto" | "manual";
  readonly regions: Readonly<Record<string, RegionReport>>;
  /** getActiveRegions: active and healthy, writer first, then priority. */
  readonly active: readonly string[];
  readonly events: readonly HealthEvent[];
  readonly notes: readonly string[];
  readonly decisions: readonly Decision[];
  /** Operations that finished since the previous tick. */
  readonly completed: readonly CompletedOperation[];
  /** 1 when a person must act (manual failover, a refused failover, a failed operation). */
  readonly exitCode: 0 | 1;
}

export interface Watcher {
  tick(): Promise<TickReport>;
  /** Waits until no background operation runs; returns those that finished meanwhile. */
  settled(): Promise<CompletedOperation[]>;
  readonly tracker: HealthTracker;
  /** The operation running in the background, if any. */
  readonly running: string | null;
}

const DEFAULT_DATABASE_CHECK_SECONDS = 60;

/** The id prefix of reconciles (see planReconcile). */
const RECONCILE_PREFIX = "reconcile";

/**
 * Interrupted operations the watcher finishes by itself: its own, and the writer moves, whose
 * half-done state (a drained writer, a promoted database) is worse than finishing them. A release
 * (deploy, rollback) waits for a person's `regionctl resume` or `abort`.
 */
const AUTO_RESUMED: ReadonlySet<string> = new Set([
  "failover",
  "switchover",
  "failback",
  "traffic",
  "repair",
  "sync",
]);

/**
 * Operations the watcher runs that yield to a failover: a repair, a traffic change or a sync is
 * stopped where it is (its steps are recorded; nothing is rolled back) and superseded, so a failed
 * writer never waits for them. A release runs in a person's process and is preempted through the
 * state document instead (see preempt.ts).
 */
const YIELDS_TO_FAILOVER: ReadonlySet<string> = new Set(["repair", "traffic", "sync"]);

export function createWatcher(options: WatcherOptions): Watcher {
  const { config, ports } = options;
  const settings = healthSettings(config);
  const replication: ReplicationSettings = { ...DEFAULT_REPLICATION_SETTINGS, ...options.replication };
  const random = options.random ?? Math.random;
  const endpoints =
    options.endpoints ??
    regionEndpoints(
      config,
      config.regions.map((r) => r.region),
    );
  const emit = (line: string): void => options.onEvent?.(line);
  /**
   * A region the controller took out comes back once it has stayed healthy this long: on average
   * longer than the flap window allows between transitions, so a flapping region is not readmitted
   * on each of its short recoveries.
   */
  const stableMs = settings.flapWindowMs / settings.flapTransitions;
  const stackFlag = options.stack === undefined ? "" : ` --stack ${options.stack}`;

  let tracker = initialTracker(
    config.regions.map((r) => r.region),
    ports.clock.now(),
  );
  let ticking: Promise<TickReport> | null = null;
  let running: { id: string; kind: string; stop: AbortController; done: Promise<void> } | null = null;
  let completed: CompletedOperation[] = [];
  let resyncMemory: ResyncMemory = {};
  let lastDatabaseCheck = Number.NEGATIVE_INFINITY;
  let sequence = 0;

  const operationId = (kind: string): string => {
    sequence += 1;
    const stamp = new Date(ports.clock.now())
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    return `${kind}-${stamp}-${sequence}`;
  };

  const executorOptions = (signal: AbortSignal) => ({
    config,
    ports,
    holder: options.holder,
    signal,
    leaseTtlMs: options.leaseTtlMs,
    // The watcher's current verdict, read when each stack update starts, not when the plan was made.
    impaired: (): string[] => Object.values(tracker).flatMap((h) => (h.healthy ? [] : [h.region])),
    onProgress: (e: { stepId: string; message: string; region?: string }) =>
      emit(`${e.stepId}${e.region === undefined ? "" : ` [${e.region}]`}: ${e.message}`),
  });

  /** Runs an operation in the background; `after` does its bookkeeping once it ends. */
  function start(
    plan: Plan | { readonly id: string; readonly kind: string; readonly summary: string },
    resume: boolean,
    after: (r: OperationResult | null, error: string | null) => Promise<void>,
  ): void {
    const id = plan.id;
    emit(`${resume ? "resuming" : "starting"} ${plan.kind} ${plan.id}: ${plan.summary}`);
    const stop = new AbortController();
    const signal =
      options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
    const done = (async () => {
      let result: OperationResult | null = null;
      let error: string | null = null;
      try {
        result = resume
          ? await resumeOperation(executorOptions(signal))
          : await runPlan(options.transformPlan?.(plan as Plan) ?? (plan as Plan), executorOptions(signal));
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      try {
        await after(result, error);
      } catch (err) {
        emit(`bookkeeping after ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const entry: CompletedOperation = {
        operationId: result?.operationId ?? id,
        kind: plan.kind,
        outcome: result?.outcome ?? "error",
        reason: result?.reason ?? error,
        summary: plan.summary,
      };
      completed.push(entry);
      emit(
        `${entry.kind} ${entry.operationId} ${entry.outcome}${entry.reason === null ? "" : `: ${entry.reason}`}`,
      );
    })();
    running = { id, kind: plan.kind, stop, done: done.finally(() => (running = null)) };
  }

  async function bookkeeping(
    purpose: string,
    change: (s: OperationalState) => OperationalState | null,
  ): Promise<void> {
    await updateStateUnderLease(ports, config, options.holder, purpose, change);
  }

  const describeDatabase = (
    state: OperationalState,
    view: HealthView,
    notes: string[],
  ): Promise<GlobalClusterView | null> => describeThroughHealthy(config, state, view, ports.database, notes);

  async function doTick(): Promise<TickReport> {
    const now = ports.clock.now();
    const samples = await ports.health.observe(endpoints, options.signal);
    // Lease, state, lease: an operation counts as orphaned only if no live lease was seen on
    // either side of reading it, so one that starts or ends meanwhile is not mistaken for dead.
    const live = (l: Lease | null): boolean => l !== null && l.expiresAt > ports.clock.now();
    const readStored = async (): Promise<{
      state: OperationalState;
      leaseLive: boolean;
      holder: Lease | null;
    }> => {
      const leaseBefore = await ports.state.readLease();
      const stored = await ports.state.read();
      const leaseAfter = await ports.state.readLease();
      return {
        state: reconcileState(config, stored?.state ?? null),
        leaseLive: live(leaseBefore) || live(leaseAfter),
        holder: leaseAfter ?? leaseBefore,
      };
    };
    let { state, leaseLive, holder: lease } = await readStored();
    const observed = observeSamples(tracker, samples, settings);
    tracker = observed.tracker;
    const view = healthView(tracker, now);
    const notes: string[] = [];
    const decisions: Decision[] = [];
    // Failover preempts: on this tick's verdict that the writer failed, a repair, traffic change or
    // sync in the background stops now, and the failover is decided below in this same tick.
    const yielding = running;
    if (
      yielding !== null &&
      config.failover.mode === "auto" &&
      YIELDS_TO_FAILOVER.has(yielding.kind) &&
      !(view[state.writer]?.healthy ?? false)
    ) {
      notes.push(
        `${yielding.kind} ${yielding.id} yields to the failover: writer ${state.writer} is unhealthy`,
      );
      yielding.stop.abort(new Error(`yields to the failover: writer ${state.writer} is unhealthy`));
      await yielding.done;
      ({ state, leaseLive, holder: lease } = await readStored());
    }
    // Health check ids may be filled in by the health source itself (from the stack's outputs), so
    // the samples, not the endpoints, say whether Route 53 answered.
    const probeOnly = samples.filter((s) => s.checkerFraction === null && s.probeOk !== null);
    if (probeOnly.length > 0) {
      notes.push(
        `no Route 53 checker data for ${probeOnly.map((s) => s.region).join(", ")} ` +
          `(no health check, or the Route 53 API failed): deciding on the direct probes alone; ${probeOnly[0].detail}`,
      );
    }
    const finished = completed;
    completed = [];
    const report = (exitCode: 0 | 1): TickReport => ({
      at: new Date(now).toISOString(),
      writer: state.writer,
      mode: config.failover.mode,
      regions: Object.fromEntries(
        Object.entries(tracker).map(([region, h]) => [
          region,
          {
            healthy: h.healthy,
            heldOutUntil:
              view[region]?.heldOut === true && h.heldOutUntil !== null
                ? new Date(h.heldOutUntil).toISOString()
                : null,
            consecutiveFailures: h.consecutiveFailures,
            consecutiveSuccesses: h.consecutiveSuccesses,
            signals: h.signals,
            detail: h.lastSample?.detail ?? "",
            serving: state.regions[region] !== undefined && !state.regions[region].drained,
          },
        ]),
      ),
      active: getActiveRegions(config, state, view),
      events: observed.events,
      notes,
      decisions,
      completed: finished,
      exitCode: exitCode === 1 || finished.some((c) => c.outcome !== "succeeded") ? 1 : 0,
    });
    const writerDown = !(view[state.writer]?.healthy ?? false);
    if (!writerDown && (view[state.writer]?.heldOut ?? false)) {
      notes.push(
        `writer ${state.writer} is flapping; it stays the writer (an unplanned failover may lose data): ` +
          `consider \`regionctl switchover${stackFlag} --to REGION\``,
      );
    }

    // One operation at a time: while one runs, observe and report only.
    if (running !== null) {
      decisions.push({
        kind: "operation",
        action: "deferred",
        summary: `operation ${running.id} is running`,
        operationId: running.id,
      });
      if (writerDown)
        notes.push(`writer ${state.writer} is unhealthy; the failover decision waits for ${running.id}`);
      return report(0);
    }
    if (
      writerDown &&
      config.failover.mode === "auto" &&
      state.operation !== null &&
      leaseLive &&
      lease?.holder !== options.holder &&
      PREEMPTED_BY_FAILOVER.has(state.operation.kind) &&
      (state.operation.phase === "running" || state.operation.phase === "compensating")
    ) {
      // Failover preempts a release another process runs: it stops at once without calling the
      // failed region, and the failover starts in this same tick.
      const op = state.operation;
      const why = `failover: writer ${state.writer} is unhealthy`;
      const ended = await preemptOperation(
        ports,
        op,
        `${options.holder} (${why})`,
        // The run polls every second; it has until the next tick to let go.
        config.dns.healthCheck.intervalSeconds * 1000,
      );
      if (ended.status === "ended") {
        decisions.push({
          kind: "preempt",
          action: "recorded",
          summary: `${op.kind} ${op.id} preempted by the ${why}; it ended ${ended.phase}${ended.reason === null ? "" : ` (${ended.reason})`}`,
          operationId: op.id,
        });
        ({ state, leaseLive, holder: lease } = await readStored());
        if (state.operation === null && !leaseLive)
          return report(await decideFailover(state, view, notes, decisions));
      } else {
        notes.push(
          `${op.kind} ${op.id} was asked to stop for the ${why}, and has not yet; its safety gate pauses it`,
        );
      }
    }
    if (state.operation !== null) {
      const op = state.operation;
      const orphaned = (op.phase === "running" || op.phase === "compensating") && !leaseLive;
      const yields = config.failover.mode === "auto" && YIELDS_TO_FAILOVER.has(op.kind);
      if (writerDown && supersedable(op, leaseLive) && (yields || !(orphaned && AUTO_RESUMED.has(op.kind)))) {
        return report(await decideFailover(state, view, notes, decisions, op));
      }
      if (orphaned && !AUTO_RESUMED.has(op.kind)) {
        // A release belongs to whoever started it: say how to continue it, do not push it on.
        decisions.push({
          kind: "operation",
          action: "reported",
          summary: `${op.kind} ${op.id} was interrupted (${op.phase}); its process is gone`,
          command: `regionctl resume${stackFlag}  # or: regionctl abort${stackFlag}`,
        });
        if (writerDown)
          notes.push(
            `writer ${state.writer} is unhealthy; the failover waits for ${op.kind} ${op.id} to end`,
          );
        return report(1);
      }
      if (orphaned) {
        // Its process died (the lease expired): carry on from the first unfinished step.
        decisions.push({
          kind: "resume",
          action: "started",
          summary: `resuming ${op.kind} ${op.id} from its first unfinished step`,
          operationId: op.id,
        });
        start({ id: op.id, kind: op.kind, summary: `resumed ${op.kind} ${op.id}` }, true, (r) =>
          afterOperation(op.kind, op.writerBefore, r),
        );
        return report(0);
      }
      if (op.phase === "paused") {
        decisions.push({
          kind: "operation",
          action: "reported",
          summary: `${op.kind} ${op.id} is paused (${op.reason ?? "waiting for a person"})`,
          command: `regionctl promote${stackFlag}  # or: regionctl abort${stackFlag}`,
        });
      } else if (op.phase === "failed") {
        decisions.push({
          kind: "operation",
          action: "reported",
          summary: `${op.kind} ${op.id}: rollback failed (${op.reason ?? "unknown"})`,
          command: `regionctl resume${stackFlag}  # or: regionctl abort${stackFlag}`,
        });
      } else {
        decisions.push({
          kind: "operation",
          action: "deferred",
          summary: `${op.kind} ${op.id} is ${op.phase} (held by ${lease?.holder ?? "?"})`,
        });
      }
      if (writerDown)
        notes.push(`writer ${state.writer} is unhealthy; the failover waits for ${op.kind} ${op.id} to end`);
      return report(op.phase === "failed" || (writerDown && op.phase === "paused") ? 1 : 0);
    }
    if (leaseLive) {
      const holder = lease;
      decisions.push({
        kind: "operation",
        action: "deferred",
        summary: `the lease is held by ${holder?.holder ?? "?"} (${holder?.operation ?? "?"})`,
      });
      return report(0);
    }

    if (writerDown) return report(await decideFailover(state, view, notes, decisions));

    const dueCheck =
      now - lastDatabaseCheck >= (options.databaseCheckSeconds ?? DEFAULT_DATABASE_CHECK_SECONDS) * 1000;
    const wantsReadmit = Object.values(state.regions).some(
      (rs) => (rs.drained || rs.excluded) && drainedByController(rs.note),
    );
    const db =
      dueCheck || wantsReadmit || failbackTarget(state) !== null
        ? await describeDatabase(state, view, notes)
        : null;
    if (db !== null && dueCheck) {
      lastDatabaseCheck = now;
      await checkReplication(state, db, now, decisions, notes);
    }
    const fresh = (await ports.state.read())?.state;
    const current = fresh === undefined ? state : reconcileState(config, fresh);

    if (decideReconcile(current, now, decisions)) return report(0);
    await noteFlapping(current, view, decisions, notes);
    if (decideTraffic(current, view, db, now, decisions)) return report(0);
    reportFailback(current, view, db, decisions);
    if (decideRepair(current, view, now, decisions)) return report(0);
    decideSync(current, view, now, decisions);
    return report(0);
  }

  async function decideFailover(
    state: OperationalState,
    view: HealthView,
    notes: string[],
    decisions: Decision[],
    stuck: OperationRecord | null = null,
  ): Promise<0 | 1> {
    const from = state.writer;
    const faultAt = tracker[from]?.failingSince ?? ports.clock.now();
    // A failover that failed (its database promotion did not go through: the state still names
    // the old writer) is tried again, backing off while it keeps failing.
    const retry = retryTiming(
      state,
      (h) => h.kind === "failover",
      () => true,
      FAILOVER_BACKOFF,
    );
    if (retry.retries > 0 && ports.clock.now() < retry.notBefore) {
      decisions.push({
        kind: "failover",
        action: "deferred",
        summary: `writer ${from} is unhealthy; ${retry.retries} failover attempt(s) failed, the next starts in ${Math.ceil((retry.notBefore - ports.clock.now()) / 1000)} s`,
        region: from,
      });
      return 0;
    }
    const database = await describeDatabase(state, view, notes);
    const id = operationId("failover");
    // An operation that cannot move on by itself does not hold the failover back: it is superseded.
    const decision = planFailover({
      config,
      state: stuck === null ? state : { ...state, operation: null },
      health: view,
      database,
      id,
    });
    const supersedeReason = `superseded by failover ${id}: writer ${from} is unhealthy`;
    if (decision.refused) {
      decisions.push({
        kind: "failover",
        action: "refused",
        summary: `writer ${from} is unhealthy, and no failover is allowed: ${decision.reason}`,
        rule: decision.rule,
        region: from,
      });
      return 1;
    }
    const command = `regionctl failover${stackFlag} --to ${decision.to}`;
    if (config.failover.mode === "manual") {
      decisions.push({
        kind: "failover",
        action: "reported",
        summary: `manual mode: writer ${from} is unhealthy; the failover to run is: ${decision.plan.summary}`,
        region: decision.to,
        command,
      });
      return 1;
    }
    try {
      await bookkeeping("failover incident", (s) =>
        openIncident(
          stuck !== null && s.operation?.id === stuck.id
            ? supersedeOperation(s, supersedeReason, ports.clock.now())
            : s,
          {
            kind: "failover",
            from,
            to: decision.to,
            startedAt: ports.clock.now(),
            faultAt,
            rpoSeconds: decision.lagSeconds,
          },
        ),
      );
    } catch (err) {
      // Someone took the lease since this tick looked: decide again at the next one.
      if (!(err instanceof LeaseHeldError)) throw err;
      decisions.push({
        kind: "failover",
        action: "deferred",
        summary: `failover deferred: ${err.message}`,
        region: decision.to,
      });
      return 0;
    }
    if (stuck !== null) {
      decisions.push({
        kind: "operation",
        action: "recorded",
        summary: `${stuck.kind} ${stuck.id} ${supersedeReason}`,
      });
    }
    decisions.push({
      kind: "failover",
      action: "started",
      summary: decision.plan.summary,
      region: decision.to,
      operationId: id,
      command,
    });
    start(decision.plan, false, (r) => afterOperation("failover", from, r));
    return 0;
  }

  /**
   * Closes the incident of a writer move once the new writer serves, dated by the step that made
   * it so: a sync run that fails afterwards does not undo the recovery.
   */
  async function afterOperation(kind: string, from: string, result: OperationResult | null): Promise<void> {
    if (result === null) return;
    if (kind !== "failover" && kind !== "switchover" && kind !== "failback") return;
    const at = recoveredAt(result.state, result.operationId, kind);
    if (at === null) return;
    const to = result.state.writer;
    await bookkeeping(`${kind} incident`, (s) => closeIncident(s, kind, from, to, at, config.dns.ttl));
  }

  async function checkReplication(
    state: OperationalState,
    db: GlobalClusterView,
    now: number,
    decisions: Decision[],
    notes: string[],
  ): Promise<void> {
    const observed = observeReplication(config, state, db, resyncMemory, now, replication);
    resyncMemory = observed.memory;
    const queued = new Set(state.replicationQueue.map((q) => q.region));
    const added = observed.problems.filter((p) => !queued.has(p.region));
    const resolved = state.replicationQueue
      .filter((q) => observed.connected.includes(q.region))
      .map((q) => q.region);
    if (added.length === 0 && resolved.length === 0) return;
    try {
      await bookkeeping("replication queue", (s) => {
        let queue = resolveRepairs(s.replicationQueue, observed.connected);
        for (const p of observed.problems) queue = enqueueRepair(queue, p, now);
        return { ...s, replicationQueue: queue };
      });
    } catch (err) {
      if (!(err instanceof LeaseHeldError)) throw err;
      notes.push(`replication queue not updated: ${err.message}`);
      return;
    }
    for (const p of added)
      decisions.push({
        kind: "replication",
        action: "recorded",
        summary: `queued a repair of ${p.region}: ${p.reason}`,
        region: p.region,
      });
    for (const r of resolved)
      decisions.push({
        kind: "replication",
        action: "recorded",
        summary: `${r}'s member is connected again; its repair is done`,
        region: r,
      });
  }

  /**
   * A writer or traffic move whose stack update failed (after its own retries) left the stack
   * behind the state: update it again, backing off while it keeps failing. True when one started.
   */
  function decideReconcile(state: OperationalState, now: number, decisions: Decision[]): boolean {
    const failed = failedMove(state);
    if (failed === null) return false;
    const retry = retryTiming(
      state,
      (h) => MOVE_KINDS.has(h.kind),
      (h) => h.id.startsWith(`${RECONCILE_PREFIX}-`),
      RECONCILE_BACKOFF,
    );
    if (now < retry.notBefore) {
      decisions.push({
        kind: "reconcile",
        action: "deferred",
        summary: `${failed.kind} ${failed.id} failed; the stack is updated again in ${Math.ceil((retry.notBefore - now) / 1000)} s`,
      });
      return false;
    }
    const plan = planReconcile(config, state, failed, operationId(RECONCILE_PREFIX));
    if (isRefusal(plan)) return false;
    if (config.failover.mode !== "auto") {
      decisions.push({
        kind: "reconcile",
        action: "reported",
        summary: `manual mode: ${plan.summary} (not done; the stack update of ${failed.id} failed)`,
      });
      return false;
    }
    decisions.push({ kind: "reconcile", action: "started", summary: plan.summary, operationId: plan.id });
    start(plan, false, async (r) => {
      // A failover finished this way recovered when its writer's traffic finally moved.
      if (failed.kind !== "failover" || r?.outcome !== "succeeded") return;
      const at = r.state.history.at(-1)?.steps.find((x) => x.id === "reconcile/stack")?.finishedAt;
      if (at === undefined || at === null) return;
      await bookkeeping("failover incident", (s) =>
        closeIncident(s, "failover", failed.writerBefore, s.writer, Date.parse(at), config.dns.ttl),
      );
    });
    return true;
  }

  /**
   * A region already held out as unhealthy that turns out to be flapping stays out for the
   * cooldown: its note says so, for whoever reads the state (no stack update: it is out already).
   */
  async function noteFlapping(
    state: OperationalState,
    view: HealthView,
    decisions: Decision[],
    notes: string[],
  ): Promise<void> {
    for (const [region, h] of Object.entries(tracker)) {
      const rs = state.regions[region];
      if (rs === undefined || !rs.drained || !(view[region]?.heldOut ?? false) || h.heldOutUntil === null)
        continue;
      if (!drainedByController(rs.note) || (rs.note?.startsWith("flapping:") ?? false)) continue;
      const note = `flapping: held out until ${new Date(h.heldOutUntil).toISOString()}`;
      try {
        await bookkeeping("flapping note", (s) =>
          s.regions[region]?.drained === true
            ? { ...s, regions: { ...s.regions, [region]: { ...s.regions[region], note } } }
            : null,
        );
      } catch (err) {
        if (!(err instanceof LeaseHeldError)) throw err;
        notes.push(`${region}'s note not updated: ${err.message}`);
        continue;
      }
      decisions.push({
        kind: "holdout",
        action: "recorded",
        summary: `${region} is flapping: ${note}`,
        region,
      });
    }
  }

  /**
   * Holds a flapping secondary out, drains an unhealthy one, or readmits a recovered region. True
   * when an operation started.
   */
  function decideTraffic(
    state: OperationalState,
    view: HealthView,
    db: GlobalClusterView | null,
    now: number,
    decisions: Decision[],
  ): boolean {
    const auto = config.failover.mode === "auto";
    // Takes `region` out of traffic with `plan` (flapping or unhealthy); true when it started.
    const holdOut = (region: string, plan: PlanResult, why: string): boolean => {
      if (isRefusal(plan)) {
        decisions.push({
          kind: "holdout",
          action: "refused",
          summary: `${region} is ${why} but stays in traffic: ${plan.reason}`,
          rule: plan.rule,
          region,
        });
        return false;
      }
      if (!auto) {
        decisions.push({
          kind: "holdout",
          action: "reported",
          summary: `manual mode: ${plan.summary} (not done)`,
          region,
        });
        return false;
      }
      decisions.push({
        kind: "holdout",
        action: "started",
        summary: plan.summary,
        region,
        operationId: plan.id,
      });
      start(plan, false, async () => undefined);
      return true;
    };
    for (const [region, h] of Object.entries(tracker)) {
      const rs = state.regions[region];
      if (rs === undefined || rs.drained || region === state.writer || !(view[region]?.heldOut ?? false))
        continue;
      const plan = planHoldOut(config, state, region, h.heldOutUntil ?? now, operationId("holdout"));
      if (holdOut(region, plan, "flapping")) return true;
    }
    for (const [region, h] of Object.entries(tracker)) {
      const rs = state.regions[region];
      if (rs === undefined || rs.drained || region === state.writer || h.healthy) continue;
      const plan = planDrain(config, state, region, h.failingSince ?? now, operationId("holdout"));
      if (holdOut(region, plan, "unhealthy")) return true;
    }
    for (const [region, rs] of Object.entries(state.regions)) {
      if (!(rs.drained || rs.excluded) || !drainedByController(rs.note)) continue;
      const blocker = readmitBlocker(state, view, db, region, stableMs);
      if (blocker !== null) continue;
      const plan = planReadmit(config, state, view, db, region, operationId("readmit"), stableMs);
      if (isRefusal(plan)) continue;
      if (!auto) {
        decisions.push({
          kind: "readmit",
          action: "reported",
          summary: `manual mode: ${plan.summary} (not done)`,
          region,
        });
        continue;
      }
      decisions.push({
        kind: "readmit",
        action: "started",
        summary: plan.summary,
        region,
        operationId: plan.id,
      });
      start(plan, false, async () => undefined);
      return true;
    }
    return false;
  }

  function reportFailback(
    state: OperationalState,
    view: HealthView,
    db: GlobalClusterView | null,
    decisions: Decision[],
  ): void {
    const to = failbackTarget(state);
    if (to === null || db === null) return;
    const checked = checkSwitchover({ config, state, health: view, database: db, to });
    if (checked.refusal !== null) return;
    decisions.push({
      kind: "failback-ready",
      action: "reported",
      summary: `${to} is healthy and its cluster is connected: the writer can move back (RPO 0)`,
      region: to,
      command: `regionctl failback${stackFlag}`,
    });
  }

  function decideRepair(
    state: OperationalState,
    view: HealthView,
    now: number,
    decisions: Decision[],
  ): boolean {
    for (const item of dueRepairs(state.replicationQueue, now)) {
      if (!regionAvailable(view, item.region)) {
        decisions.push({
          kind: "repair",
          action: "deferred",
          summary: `repair of ${item.region} waits until it is healthy`,
          region: item.region,
        });
        continue;
      }
      const plan = planRepair(config, state, item, operationId("repair"));
      if (isRefusal(plan)) {
        decisions.push({
          kind: "repair",
          action: "refused",
          summary: plan.reason,
          rule: plan.rule,
          region: item.region,
        });
        continue;
      }
      decisions.push({
        kind: "repair",
        action: "started",
        summary: plan.summary,
        region: item.region,
        operationId: plan.id,
      });
      start(plan, false, async (r, error) => {
        const outcome =
          r?.outcome === "succeeded"
            ? ({ ok: true } as const)
            : ({ ok: false, error: r?.reason ?? error ?? "repair failed" } as const);
        await bookkeeping("replication queue", (s) => ({
          ...s,
          replicationQueue: recordRepairAttempt(
            s.replicationQueue,
            item.region,
            outcome,
            ports.clock.now(),
            random,
            replication,
          ),
        }));
        // Look at the members again at the next tick: a repair that worked leaves the queue then.
        lastDatabaseCheck = Number.NEGATIVE_INFINITY;
      });
      return true;
    }
    return false;
  }

  function decideSync(state: OperationalState, view: HealthView, now: number, decisions: Decision[]): void {
    const due = dueSyncRetries(state, now).filter((r) => regionAvailable(view, r));
    if (due.length === 0) return;
    const plan = planSync(config, state, operationId("sync"), due);
    if (isRefusal(plan)) {
      decisions.push({ kind: "sync-retry", action: "refused", summary: plan.reason, rule: plan.rule });
      return;
    }
    decisions.push({
      kind: "sync-retry",
      action: "started",
      summary: `retry: ${plan.summary}`,
      operationId: plan.id,
    });
    start(plan, false, async () => {
      // A run that died without recording its retry time gets one, so it cannot stay in error.
      await bookkeeping("sync retry", (s) => {
        const t = ports.clock.now();
        const sync = { ...s.sync };
        let changed = false;
        for (const r of due) {
          const cur = sync[r];
          if (cur === undefined) continue;
          const next = ensureRetryScheduled(
            cur.status === "running"
              ? { ...cur, status: "error", lastError: cur.lastError ?? "the run ended without a result" }
              : cur,
            t,
            config.sync.retrySeconds,
          );
          if (next !== cur) {
            sync[r] = next;
            changed = true;
          }
        }
        return changed ? { ...s, sync } : null;
      });
    });
  }

  return {
    tick() {
      ticking ??= doTick().finally(() => {
        ticking = null;
      });
      return ticking;
    },
    async settled() {
      while (running !== null) await running.done;
      const done = completed;
      completed = [];
      return done;
    },
    get tracker() {
      return tracker;
    },
    get running() {
      return running?.id ?? null;
    },
  };
}
