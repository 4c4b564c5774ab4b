import type { EnvironmentConfig } from "../../components/config";
import { type OperationalState, reconcileState } from "../../components/operationalState";
import { type OperationResult, resumeOperation, runPlan } from "../executor";
import { regionEndpoints } from "../gates/endpoints";
import { getActiveRegions } from "../health/activeRegions";
import { healthView, partlyFailing } from "../health/healthView";
import { healthSettings } from "../health/settings";
import { type HealthTracker, isHeldOut } from "../health/tracker";
import { DEFAULT_REPLICATION_SETTINGS, type ReplicationSettings } from "../plans/replication";
import type { Plan } from "../plans/steps";
import { type Lease, LeaseHeldError, type Ports, type RegionEndpoint, type StoredState } from "../ports";
import type { Decision, Effect } from "./decision";
import { decide } from "./decide";
import { describeThroughHealthy } from "./describeDatabase";
import { followUp } from "./followUp";
import { preemptOperation } from "./preempt";
import { updateStateUnderLease } from "./stateUpdate";
import type { RunningOperation, TickInputs, TickOutcome } from "./tickInputs";
import type { CompletedOperation, TickExitCode, TickReport } from "./tickReport";
import type { VantageReport } from "./quorum";
import type { VantageBoard } from "./vantageBoard";
import { type WatchMemory, initialMemory, recheckDatabase, rememberSamples } from "./watchMemory";

export type { Decision, DecisionKind } from "./decision";
export type { CompletedOperation, RegionReport, TickReport } from "./tickReport";

/**
 * The watcher's runner: the I/O around `decide`. Each `tick()` observes every region at once,
 * folds the samples into the watcher's memory, reads the state and lease, asks `decide`, and does
 * what the decisions say (start or stop an operation, preempt a release, write bookkeeping).
 * Operations run in the background through the executor, so ticks keep observing while one runs;
 * `settled()` waits for it.
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
  /**
   * Decide and report only: start, stop, preempt and record nothing (`regionctl check`). The
   * memory still learns from each observation.
   */
  readonly dryRun?: boolean;
  /**
   * With several replicas: whether this one leads now. A standby observes, publishes and
   * decides like a dry run, so it knows what the leader knows the moment it takes over.
   */
  readonly acting?: () => boolean;
  /** With several replicas: this one's vantage point and where the replicas share verdicts. */
  readonly vantage?: VantageOptions;
}

export interface VantageOptions {
  /** This replica's name (its region). */
  readonly voter: string;
  readonly board: VantageBoard;
  /** A replica's report older than this does not vote. */
  readonly freshMs: number;
  /**
   * How long after publishing its own verdicts the replica reads the others', so replicas that
   * looked at the same moment vote in the same round.
   */
  readonly gatherMs: number;
}

export interface Watcher {
  tick(): Promise<TickReport>;
  /**
   * Decides again on the last round observed, at once, without probing: a replica that just took
   * the lead acts on what it already knows instead of waiting for its next tick. Null when it has
   * observed nothing yet, or a tick is running (that tick acts).
   */
  decideAgain(): Promise<TickReport | null>;
  /** Waits until no background operation runs; returns those that finished meanwhile. */
  settled(): Promise<CompletedOperation[]>;
  readonly tracker: HealthTracker;
  /** The watcher's memory after the last tick. */
  readonly memory: WatchMemory;
  /** The operation running in the background, if any. */
  readonly running: string | null;
}

const DEFAULT_DATABASE_CHECK_SECONDS = 60;
/** decide asks again after an effect that changes its inputs; a few passes always suffice. */
const MAX_PASSES = 6;

interface Background extends RunningOperation {
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

interface Stored {
  readonly state: OperationalState;
  readonly leaseLive: boolean;
  readonly lease: Lease | null;
}

/** The region a plan promotes, for a writer move. */
function planTarget(plan: Plan): string | null {
  for (const step of plan.steps) {
    if (step.kind === "awaitWriter") return step.region;
  }
  return null;
}

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
  // A standby decides as a dry run does; the question is asked at each effect, not once a tick.
  const dry = (): boolean => options.dryRun === true || options.acting?.() === false;

  let memory = initialMemory(
    config.regions.map((r) => r.region),
    ports.clock.now(),
  );
  let ticking: Promise<TickReport> | null = null;
  let again: Promise<TickReport | null> | null = null;
  let running: Background | null = null;
  let completed: CompletedOperation[] = [];

  const executorOptions = (signal: AbortSignal) => ({
    config,
    ports,
    holder: options.holder,
    signal,
    leaseTtlMs: options.leaseTtlMs,
    // The watcher's current verdict, read when each stack update starts, not when the plan was made.
    // A region failing only partly answers, and may be the failover's last-resort target: it is
    // updated like a healthy one.
    impaired: (): string[] =>
      Object.values(memory.tracker).flatMap((h) => (h.healthy || partlyFailing(h) ? [] : [h.region])),
    onProgress: (e: { stepId: string; message: string; region?: string }) =>
      emit(`${e.stepId}${e.region === undefined ? "" : ` [${e.region}]`}: ${e.message}`),
  });

  const bookkeeping = (purpose: string, change: (s: OperationalState) => OperationalState | null) =>
    updateStateUnderLease(ports, config, options.holder, purpose, change);

  /** Runs an operation in the background; `after` does its bookkeeping once it ends. */
  function start(
    what: {
      readonly id: string;
      readonly kind: string;
      readonly summary: string;
      readonly target: string | null;
    },
    run: (signal: AbortSignal) => Promise<OperationResult>,
    after: (r: OperationResult | null, error: string | null) => Promise<void>,
    resume: boolean,
  ): void {
    emit(`${resume ? "resuming" : "starting"} ${what.kind} ${what.id}: ${what.summary}`);
    const stop = new AbortController();
    const signal =
      options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
    const done = (async () => {
      let result: OperationResult | null = null;
      let error: string | null = null;
      try {
        result = await run(signal);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      try {
        await after(result, error);
      } catch (err) {
        emit(`bookkeeping after ${what.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const entry: CompletedOperation = {
        operationId: result?.operationId ?? what.id,
        kind: what.kind,
        outcome: result?.outcome ?? "error",
        reason: result?.reason ?? error,
        summary: what.summary,
      };
      completed.push(entry);
      emit(
        `${entry.kind} ${entry.operationId} ${entry.outcome}${entry.reason === null ? "" : `: ${entry.reason}`}`,
      );
    })();
    running = {
      id: what.id,
      kind: what.kind,
      target: what.target,
      stop,
      done: done.finally(() => (running = null)),
    };
  }

  // Lease, state, lease: an operation counts as orphaned only if no live lease was seen on
  // either side of reading it, so one that starts or ends meanwhile is not mistaken for dead.
  // A store that hands out the same document while its etag stands (the drill's does) is reconciled
  // once per revision, not once per tick; a store that parses every read never matches.
  let reconciled: { raw: OperationalState | null; etag: string | null; state: OperationalState } | null =
    null;
  function reconcile(stored: StoredState | null): OperationalState {
    const raw = stored?.state ?? null;
    const etag = stored?.etag ?? null;
    if (reconciled === null || reconciled.raw !== raw || reconciled.etag !== etag)
      reconciled = { raw, etag, state: Object.freeze(reconcileState(config, raw)) };
    return reconciled.state;
  }

  async function readStored(): Promise<Stored> {
    const live = (l: Lease | null): boolean => l !== null && l.expiresAt > ports.clock.now();
    const leaseBefore = await ports.state.readLease();
    const stored = await ports.state.read();
    const leaseAfter = await ports.state.readLease();
    return {
      state: reconcile(stored),
      leaseLive: live(leaseBefore) || live(leaseAfter),
      lease: leaseAfter ?? leaseBefore,
    };
  }

  /**
   * Effects that change decide's inputs (stopping or preempting an operation, reading the
   * database) run at once and decide is asked again; the decisions they produced are kept.
   */
  async function decideWithInputs(
    tickAt: number,
    observed: WatchMemory,
    samples: TickInputs["samples"],
    kept: Decision[],
    notes: string[],
    vantage: TickInputs["vantage"],
  ): Promise<TickOutcome> {
    let stored = await readStored();
    let database: TickInputs["database"] = "unread";
    const preemptAsked: string[] = [];
    for (let pass = 1; ; pass++) {
      // The tick's time is when it began observing: the samples and the schedules (database
      // checks, retry backoffs) are dated by it, however long a probe took to time out.
      const now = tickAt;
      const result = decide({
        config,
        holder: options.holder,
        stack: options.stack,
        now,
        decidedAt: ports.clock.now(),
        memory: observed,
        samples,
        state: stored.state,
        leaseLive: stored.leaseLive,
        lease: stored.lease,
        running: running === null ? null : { id: running.id, kind: running.kind, target: running.target },
        database,
        preemptAsked,
        replication,
        databaseCheckSeconds: options.databaseCheckSeconds ?? DEFAULT_DATABASE_CHECK_SECONDS,
        ...(vantage === undefined ? {} : { vantage }),
      });
      if (pass >= MAX_PASSES) return result;
      if (result.needsDatabase) {
        database = await describeThroughHealthy(
          config,
          stored.state,
          healthView(observed.tracker, now),
          ports.database,
          notes,
        );
        continue;
      }
      const interrupt = result.decisions.find((d) => d.effect?.do === "stop" || d.effect?.do === "preempt");
      // A dry run reports the stop as proposed and decides nothing past it.
      if (interrupt === undefined || dry()) return result;
      const effect = interrupt.effect as Extract<Effect, { do: "stop" | "preempt" }>;
      if (effect.do === "stop") {
        const yielding = running;
        if (yielding !== null && yielding.id === effect.operationId) {
          yielding.stop.abort(new Error(effect.reason));
          await yielding.done;
        }
        kept.push({ ...interrupt, action: "recorded", effect: undefined });
      } else {
        const op = effect.operation;
        const ended = await preemptOperation(ports, op, effect.by, effect.waitMs);
        if (ended.status === "ended") {
          kept.push({
            kind: "preempt",
            action: "recorded",
            summary: `${op.kind} ${op.id} preempted by the ${effect.by.replace(/^.*?\((.*)\)$/, "$1")}; it ended ${ended.phase}${ended.reason === null ? "" : ` (${ended.reason})`}`,
            operationId: op.id,
          });
        } else {
          preemptAsked.push(op.id);
        }
      }
      stored = await readStored();
    }
  }

  /** Does what the final decisions say, in order; returns the decisions as they turned out. */
  async function perform(decisions: readonly Decision[], notes: string[]): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const d of decisions) {
      const effect = d.effect;
      if (effect === undefined) {
        out.push(d);
        continue;
      }
      if (dry()) {
        out.push(effect.do === "read-database" ? d : { ...d, action: "proposed" });
        continue;
      }
      if (effect.do === "record") {
        try {
          await bookkeeping(effect.purpose, effect.change);
          out.push(d);
        } catch (err) {
          if (!(err instanceof LeaseHeldError)) throw err;
          notes.push(`${effect.purpose} not updated: ${err.message}`);
        }
        continue;
      }
      if (effect.do === "start") {
        if (effect.before !== undefined) {
          try {
            await bookkeeping(`${effect.plan.kind} incident`, effect.before);
          } catch (err) {
            // Someone took the lease since this tick looked: decide again at the next one.
            if (!(err instanceof LeaseHeldError)) throw err;
            // A supersede recorded for this start did not happen either.
            const dropped = out.findIndex((x) => x.kind === "operation" && x.action === "recorded");
            if (dropped >= 0) out.splice(dropped, 1);
            out.push({
              kind: d.kind,
              action: "deferred",
              summary: `${d.kind} deferred: ${err.message}`,
              ...(d.region === undefined ? {} : { region: d.region }),
            });
            continue;
          }
        }
        const plan = effect.plan;
        start(
          { id: plan.id, kind: plan.kind, summary: plan.summary, target: planTarget(plan) },
          (signal) => runPlan(options.transformPlan?.(plan) ?? plan, executorOptions(signal)),
          (r, error) =>
            followUp(effect.after, r, error, { config, ports, random, replication, bookkeeping, recheck }),
          false,
        );
        out.push(d);
        continue;
      }
      if (effect.do === "resume") {
        const op = effect.operation;
        start(
          { id: op.id, kind: op.kind, summary: `resumed ${op.kind} ${op.id}`, target: null },
          (signal) => resumeOperation(executorOptions(signal)),
          (r, error) =>
            followUp(effect.after, r, error, { config, ports, random, replication, bookkeeping, recheck }),
          true,
        );
        out.push(d);
        continue;
      }
      out.push(d);
    }
    return out;
  }

  /**
   * Publishes this replica's own verdicts, waits for the replicas that looked at the same moment,
   * and reads everyone's. A store that does not answer leaves this replica's own vote and Route 53's.
   */
  async function shareVerdicts(
    v: VantageOptions,
    at: number,
    notes: string[],
  ): Promise<NonNullable<TickInputs["vantage"]>> {
    const threshold = config.failover.failureThreshold;
    const own: VantageReport[] = Object.values(memory.tracker).map((h) => ({
      voter: v.voter,
      region: h.region,
      at,
      down: h.probeFailures >= threshold,
      flapping: isHeldOut(h, at),
    }));
    let reports: readonly VantageReport[] = [];
    try {
      await v.board.publish(v.voter, own);
      await ports.clock.sleep(v.gatherMs, options.signal);
      reports = await v.board.read();
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      notes.push(`other replicas' verdicts unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { voter: v.voter, reports, freshMs: v.freshMs };
  }

  function recheck(): void {
    memory = recheckDatabase(memory);
  }

  /** The last round observed, for a replica that takes the lead between ticks. */
  let lastRound: { readonly at: number; readonly samples: TickInputs["samples"] } | null = null;

  async function doTick(): Promise<TickReport> {
    const at = ports.clock.now();
    const samples = await ports.health.observe(endpoints, options.signal);
    const observed = rememberSamples(memory, samples, settings);
    memory = observed.memory;
    lastRound = { at, samples };
    const notes: string[] = [];
    const vantage =
      options.vantage === undefined ? undefined : await shareVerdicts(options.vantage, at, notes);
    return decideAndReport(at, samples, observed.events, notes, vantage);
  }

  /** Decides again on the last round, with the replicas' verdicts read afresh. */
  async function doDecideAgain(): Promise<TickReport | null> {
    if (lastRound === null) return null;
    const { at, samples } = lastRound;
    const notes: string[] = [];
    let vantage: TickInputs["vantage"];
    if (options.vantage !== undefined) {
      const v = options.vantage;
      let reports: Awaited<ReturnType<VantageBoard["read"]>> = [];
      try {
        reports = await v.board.read();
      } catch (err) {
        notes.push(
          `other replicas' verdicts unavailable: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      vantage = { voter: v.voter, reports, freshMs: v.freshMs };
    }
    return decideAndReport(at, samples, [], notes, vantage);
  }

  async function decideAndReport(
    at: number,
    samples: TickInputs["samples"],
    events: TickReport["events"],
    notes: string[],
    vantage: TickInputs["vantage"],
  ): Promise<TickReport> {
    const kept: Decision[] = [];
    const result = await decideWithInputs(at, memory, samples, kept, notes, vantage);
    memory = result.memory;
    const resultNotes = [...result.notes];
    const decisions = [...kept, ...(await perform(result.decisions, resultNotes))];
    const finished = completed;
    completed = [];
    const state = result.state;
    const view = healthView(memory.tracker, at);
    const waiting = result.attention === "waiting";
    const failed = result.attention === "failed" || finished.some((c) => c.outcome !== "succeeded");
    const exitCode: TickExitCode = failed ? 1 : waiting ? 3 : 0;
    return {
      at: new Date(at).toISOString(),
      writer: state.writer,
      mode: config.failover.mode,
      regions: Object.fromEntries(
        Object.entries(memory.tracker).map(([region, h]) => [
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
      events,
      notes: [...notes, ...resultNotes],
      decisions: decisions.map(({ effect: _effect, plan: _plan, ...rest }) => rest),
      completed: finished,
      exitCode,
      waitingForPerson: waiting,
    };
  }

  return {
    tick() {
      // One decision at a time: a tick waits for a decideAgain in flight.
      ticking ??= (again === null ? doTick() : again.catch(() => undefined).then(doTick)).finally(() => {
        ticking = null;
      });
      return ticking;
    },
    async decideAgain() {
      // A tick in flight decides after this anyway, and asks whether it leads at each effect.
      if (ticking !== null || again !== null) return null;
      const run = doDecideAgain();
      again = run;
      try {
        return await run;
      } finally {
        again = null;
      }
    },
    async settled() {
      while (running !== null) await running.done;
      const done = completed;
      completed = [];
      return done;
    },
    get tracker() {
      return memory.tracker;
    },
    get memory() {
      return memory;
    },
    get running() {
      return running?.id ?? null;
    },
  };
}
