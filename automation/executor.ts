import type { EnvironmentConfig } from "../components/config";
import {
  HISTORY_LIMIT,
  type OperationRecord,
  type OperationalState,
  type StepRecord,
  reconcileState,
} from "../components/operationalState";
import { COMPENSATION_PREFIX, planFromRecord } from "./executor/planRecord";
import { LeaseKeeper } from "./executor/leaseKeeper";
import {
  AbortRequestedError,
  requestAbort,
  waitForOperationEnd,
  watchAbortRequest,
} from "./executor/abortRequest";
import { supersedeOperation } from "./executor/supersede";
import { MUTATING_KINDS, runStep } from "./executor/runStep";
import { StateHandle } from "./executor/stateHandle";
import { guardsWriter, isWriterFailingPause, runGuarded } from "./executor/writerGuard";
import {
  downIn,
  downNow,
  guardsRegions,
  observeRegions,
  isRegionDownPause,
  regionDownPause,
  regionsCalled,
  runWatchingRegions,
  servesTheRelease,
} from "./executor/regionDownGuard";
import { movedRegions } from "./plans/restoreRegions";
import { ImpairedView } from "./executor/impairedView";
import { type StepContext, type StepOutcome, errorMessage, failed, isFatal } from "./executor/stepContext";
import { OperationInterruptedError, OperationStateError, describeOperation } from "./executor/errors";
import type { Plan, Step } from "./plans/steps";
import { LeaseHeldError, LeaseLostError, type Ports } from "./ports";

export { OperationInterruptedError, OperationStateError } from "./executor/errors";
export { StateWriteError } from "./executor/stateHandle";

/**
 * Runs plans against the ports, durably: the state document records the operation (its plan as
 * data and the regions' `before` snapshot) and every step's start and finish, each written before
 * the next thing happens. A run killed at any point continues with `resumeOperation` from the first
 * unfinished step; steps are idempotent, so the one it was killed in may run again, and no finished
 * step runs twice.
 */

export interface ExecutorOptions {
  readonly config: EnvironmentConfig;
  readonly ports: Ports;
  /** Who runs the operation, for the lease and the records (user@host:pid in the CLI). */
  readonly holder: string;
  /** Default 60 s; renewed every third of it while the run lasts. */
  readonly leaseTtlMs?: number;
  /** Stops the run where it is (no compensation); the operation stays in flight. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (e: ProgressEvent) => void;
  /**
   * How often the run looks for an abort asked from another process (see abortRequest.ts), and
   * how often `abort` looks for the run to finish rolling back. Unset: no polling, and `abort`
   * refuses while another run holds the lease.
   */
  readonly abortPollMs?: number;
  /** How long `abort` waits for the holder to roll back. Default 15 minutes. */
  readonly abortWaitMs?: number;
  /**
   * Regions failing now, by the watcher's verdict. A region that fails while a plan runs is left
   * out of the plan's later stack updates (unless a step targets it by name), so its APIs are not
   * called and its silence does not sink the operation.
   */
  readonly impaired?: () => readonly string[];
}

export interface ProgressEvent {
  /** Clock time (ms). */
  readonly at: number;
  readonly operationId: string;
  readonly stepId: string;
  readonly kind: string;
  readonly region?: string;
  readonly message: string;
  /** Since the operation started (across resumes). */
  readonly elapsedMs: number;
}

export type OperationOutcome =
  "succeeded" | "paused" | "rolledback" | "rollback_failed" | "failed" | "aborted";

export interface OperationResult {
  readonly operationId: string;
  readonly outcome: OperationOutcome;
  readonly state: OperationalState;
  /** The step that failed (a plan step, or a compensation step for rollback_failed). */
  readonly failedStep?: string;
  readonly reason?: string;
}

export const DEFAULT_LEASE_TTL_MS = 60_000;

interface Run {
  readonly opts: ExecutorOptions;
  readonly handle: StateHandle;
  readonly signal: AbortSignal;
  readonly operationId: string;
  /** The signal without abort requests from other processes: what a requested rollback runs under. */
  readonly ownSignal?: AbortSignal;
  /** The regions this run must not call (see impairedView.ts). */
  readonly impaired: ImpairedView;
}

/**
 * Starts an operation: takes the lease (LeaseHeldError when another run has it), records the
 * operation in the state and runs it. Refuses when an operation is already in flight.
 */
export async function runPlan(plan: Plan, opts: ExecutorOptions): Promise<OperationResult> {
  return withLease(opts, plan.id, async (signal, ownSignal) => {
    const stored = await opts.ports.state.read();
    const state = reconcileState(opts.config, stored?.state ?? null);
    if (state.operation !== null) {
      throw new OperationStateError(
        `operation ${describeOperation(state.operation)} is already in flight; resume, promote or abort it first`,
      );
    }
    const handle = new StateHandle(opts.ports.state, state, stored?.etag ?? null, plan.id);
    const startedAt = iso(opts.ports.clock.now());
    await handle.update((s) => ({
      ...s,
      operation: {
        id: plan.id,
        kind: plan.kind,
        // Stored as plain data, so a resumed run (maybe another process) executes exactly this plan.
        plan: JSON.parse(JSON.stringify(plan)) as unknown,
        before: structuredClone(s.regions),
        writerBefore: s.writer,
        phase: "running",
        cursor: 0,
        steps: [],
        startedAt,
        finishedAt: null,
        reason: null,
      },
    }));
    return drive({
      opts,
      handle,
      signal,
      operationId: plan.id,
      ownSignal,
      impaired: new ImpairedView(opts.impaired),
    });
  });
}

/**
 * Continues the operation in flight from its first unfinished step: a run that was killed or
 * interrupted, or a rollback that was interrupted or failed (retried from its failed step). A
 * paused operation stays paused: `promoteOperation` or `abortOperation` decide.
 */
export async function resumeOperation(opts: ExecutorOptions): Promise<OperationResult> {
  return withOperation(opts, async (run, op) => {
    if (op.phase === "failed") {
      await setPhase(run, "compensating", op.reason);
    }
    return drive(run);
  });
}

/**
 * Continues past the pause (a `pause` step, or an inconclusive analysis taken as a pass). With
 * `full`, every remaining pause, analysis and wait is skipped too; health gates still run.
 */
export async function promoteOperation(opts: ExecutorOptions, full: boolean): Promise<OperationResult> {
  return withOperation(opts, async (run, op) => {
    if (op.phase !== "paused") {
      throw new OperationStateError(
        `operation ${describeOperation(op)} is not paused; there is nothing to promote`,
      );
    }
    const plan = planFromRecord(op.id, op.plan);
    const now = iso(opts.ports.clock.now());
    await run.handle.update((s) => {
      const o = mustHaveOperation(s);
      const step = plan.steps[o.cursor];
      const note = `promoted by ${opts.holder}${full ? " (--full)" : ""}`;
      // A promotion paused by a failing region is never promoted past the check, nor past the
      // step its failing writer interrupted: that step runs again.
      // (`--full` skips an interrupted wait or bake as it skips the later ones.)
      const paused = o.steps.find((r) => r.id === step.id);
      const recheck =
        step.kind === "safetyGate" ||
        isRegionDownPause(paused?.detail) ||
        (isWriterFailingPause(paused?.detail) && !(full && SKIPPABLE.has(step.kind)));
      if (!recheck)
        o.steps = upsertRecord(o.steps, step.id, (r) => ({
          index: o.cursor,
          id: step.id,
          startedAt: r?.startedAt ?? now,
          finishedAt: now,
          outcome: "ok",
          detail: r?.detail === null || r?.detail === undefined ? note : `${r.detail}; ${note}`,
        }));
      if (full) {
        plan.steps.forEach((later, i) => {
          if (i > o.cursor && SKIPPABLE.has(later.kind) && !o.steps.some((r) => r.id === later.id)) {
            o.steps.push({
              index: i,
              id: later.id,
              startedAt: now,
              finishedAt: now,
              outcome: "skipped",
              detail: `skipped by promote --full (${opts.holder})`,
            });
          }
        });
      }
      if (!recheck) o.cursor += 1;
      o.phase = "running";
      o.reason = null;
      return s;
    });
    return drive(run);
  });
}

/**
 * Rolls the operation in flight back now: runs its compensation (or retries it after a failed
 * rollback). An operation that changed nothing yet simply ends as `aborted`.
 */
export async function abortOperation(opts: ExecutorOptions): Promise<OperationResult> {
  return withOperation(opts, (run, op) => abortRun(run, op, `aborted by ${opts.holder}`), true);
}

/**
 * Another run holds the lease: ask it to abort (it polls for the request and compensates), then
 * wait for it to finish and report how it ended.
 */
async function abortAnotherRun(
  opts: ExecutorOptions,
  operationId: string,
  holder: string,
  pollMs: number,
): Promise<OperationResult> {
  const { state: store, clock } = opts.ports;
  if (!(await requestAbort(store, operationId, opts.holder))) {
    throw new OperationStateError(`operation ${operationId} finished while this command started`);
  }
  progressNote(
    opts,
    operationId,
    `asked ${holder}, which runs ${operationId}, to stop and roll back; waiting`,
  );
  const end = await waitForOperationEnd(store, clock, operationId, pollMs, opts.abortWaitMs ?? 15 * 60_000);
  const state = reconcileState(opts.config, (await store.read())?.state ?? null);
  if (end === null) {
    throw new OperationStateError(
      `asked ${holder} to abort ${operationId}, and it has not finished rolling back yet; \`regionctl status\` shows its progress`,
    );
  }
  const outcome: OperationOutcome =
    end.phase === "rolledback" || end.phase === "aborted" || end.phase === "rollback_failed"
      ? end.phase
      : end.phase === "succeeded"
        ? "succeeded"
        : "failed";
  return { operationId, outcome, state, reason: end.reason ?? undefined };
}

/** Rolls the operation in flight back now, under `run`'s lease. */
async function abortRun(run: Run, op: OperationRecord, reason: string): Promise<OperationResult> {
  const opts = run.opts;
  if (op.phase === "compensating") return drive(run);
  if (op.phase === "failed") {
    await setPhase(run, "compensating", op.reason);
    return drive(run);
  }
  const plan = planFromRecord(op.id, op.plan);
  const now = iso(opts.ports.clock.now());
  await run.handle.update((s) => {
    const o = mustHaveOperation(s);
    o.steps = o.steps.map((r) =>
      r.finishedAt === null ? { ...r, finishedAt: now, outcome: "skipped", detail: reason } : r,
    );
    return s;
  });
  if (plan.compensation.length === 0 || !changedSomething(mustHaveOperation(run.handle.current), plan)) {
    return finish(run, "aborted", reason);
  }
  await startCompensation(run, reason);
  return drive(run);
}

const ROLLBACK_FAILED_NOTE = "rollback step ";

const SKIPPABLE: ReadonlySet<Step["kind"]> = new Set(["pause", "analysis", "wait"]);

/**
 * Runs the operation from its cursor. When another process asked for an abort (the run's signal
 * fired with AbortRequestedError, its own signal did not), the run stops where it is and rolls
 * back under the same lease.
 */
async function drive(run: Run): Promise<OperationResult> {
  try {
    return await driveSteps(run);
  } catch (err) {
    const reason: unknown = run.signal.reason;
    if (!(reason instanceof AbortRequestedError) || run.ownSignal === undefined || run.ownSignal.aborted) {
      throw err;
    }
    const own: Run = { ...run, signal: run.ownSignal, ownSignal: undefined };
    if (reason.preempted) return endPreempted(own, reason.message);
    emitNote(run, `${reason.message}: stopping here and rolling back`);
    const op = mustHaveOperation(own.handle.current);
    return abortRun(own, op, `aborted by ${reason.by}`);
  }
}

/**
 * The writer failed and the watcher fails over now: the run ends at once, as `aborted`, without
 * compensating. Its rollback would update the failed region's stack and hold the failover back;
 * the regions it moved are rolled back in the state instead, which the failover's stack update
 * renders (and the failed region's stack when it is readmitted).
 */
async function endPreempted(run: Run, reason: string): Promise<OperationResult> {
  emitNote(run, `${reason}: stopping here; the failover's stack update rolls back what this changed`);
  const last = mustHaveOperation(run.handle.current);
  const at = run.opts.ports.clock.now();
  await run.handle.update((s) => supersedeOperation(s, reason, at));
  const entry = [...run.handle.current.history].reverse().find((h) => h.id === run.operationId);
  const ended = entry?.reason ?? reason;
  emitNote(run, `operation aborted: ${ended}`, last.startedAt);
  return { operationId: run.operationId, outcome: "aborted", state: run.handle.current, reason: ended };
}

async function driveSteps(run: Run): Promise<OperationResult> {
  for (;;) {
    throwIfInterrupted(run);
    const op = mustHaveOperation(run.handle.current);
    const plan = planFromRecord(op.id, op.plan);
    switch (op.phase) {
      case "paused":
        return result(run, "paused", op.reason ?? "paused");
      case "failed":
        return result(run, "rollback_failed", op.reason ?? "rollback failed");
      case "running": {
        if (op.cursor >= plan.steps.length) {
          return finish(run, "succeeded", null);
        }
        const step = plan.steps[op.cursor];
        const record = op.steps.find((r) => r.id === step.id);
        if (record?.outcome === "skipped" || record?.outcome === "ok") {
          await advance(run, op.cursor + 1);
          continue;
        }
        const outcome = await execute(run, step, op.cursor, step.id);
        if (outcome.status === "ok") continue;
        if (outcome.status === "paused") {
          await setPhase(run, "paused", outcome.detail);
          return result(run, "paused", outcome.detail);
        }
        const reason = `step ${step.id} failed: ${outcome.detail}`;
        if (
          plan.compensation.length === 0 ||
          !changedSomething(mustHaveOperation(run.handle.current), plan)
        ) {
          return finish(run, "failed", reason);
        }
        await startCompensation(run, reason);
        continue;
      }
      case "compensating": {
        if (op.cursor >= plan.compensation.length) {
          return finish(run, failedForward(op) === undefined ? "aborted" : "rolledback", op.reason);
        }
        const step = plan.compensation[op.cursor];
        const outcome = await execute(run, step, op.cursor, COMPENSATION_PREFIX + step.id);
        if (outcome.status === "ok") continue;
        // A retried rollback replaces the previous attempt's note instead of piling them up.
        const note = `${ROLLBACK_FAILED_NOTE}${step.id} failed: ${outcome.detail}`;
        const cause = op.reason?.split(`; ${ROLLBACK_FAILED_NOTE}`)[0] ?? null;
        const reason = cause === null || cause.startsWith(ROLLBACK_FAILED_NOTE) ? note : `${cause}; ${note}`;
        // The operation stays in flight: `resume` or `abort` retries the rollback.
        await setPhase(run, "failed", reason);
        return result(run, "rollback_failed", reason);
      }
      default:
        throw new OperationStateError(`operation ${describeOperation(op)} has already finished`);
    }
  }
}

/** Runs one step: records its start, runs it, records its finish (and the cursor past it). */
async function execute(run: Run, step: Step, index: number, recordId: string): Promise<StepOutcome> {
  const { clock } = run.opts.ports;
  const existing = mustHaveOperation(run.handle.current).steps.find((r) => r.id === recordId);
  const startedAt = existing?.startedAt ?? iso(clock.now());
  await run.handle.update((s) => {
    const o = mustHaveOperation(s);
    o.steps = upsertRecord(o.steps, recordId, () => ({
      index,
      id: recordId,
      startedAt,
      finishedAt: null,
      outcome: null,
      detail: existing === undefined ? null : "resumed",
    }));
    o.cursor = index;
    return s;
  });
  emit(run, step, `${existing === undefined ? "start" : "resume"}: ${step.description}`);

  const ctx = stepContext(run, step, Date.parse(startedAt));
  const forward = !recordId.startsWith(COMPENSATION_PREFIX);
  const op = mustHaveOperation(run.handle.current);
  const guarded = forward && guardsWriter(op.kind, step, run.handle.current.writer);
  const regionGuard = forward && guardsRegions(run.opts.config, op.kind);
  const body = (c: StepContext): Promise<StepOutcome> =>
    guarded ? runGuarded(c, (g) => runStep(step, g)) : runStep(step, c);
  let outcome: StepOutcome;
  try {
    if (!forward) await lookBeforeRollback(run, ctx, step);
    else if (rendersEveryRegion(step) && run.opts.impaired === undefined)
      await lookBeforeRender(run, ctx, step);
    outcome = regionGuard ? await runRegionGuarded(ctx, step, run.handle.current, body) : await body(ctx);
    if (regionGuard && outcome.status === "failed") {
      // Its rollback would call every region the compensation restores or updates.
      const plan = planFromRecord(op.id, op.plan);
      const called = [...new Set(plan.compensation.flatMap((c) => regionsCalled(c, run.handle.current)))];
      const down = await downNow(ctx, called);
      if (down.length > 0) outcome = regionDownPause(down, `the rollback after "${outcome.detail}"`);
    }
  } catch (err) {
    throwIfInterrupted(run, err);
    if (isFatal(err)) throw err;
    outcome = failed(errorMessage(err));
  }
  const finishedAt = iso(clock.now());
  await run.handle.update((s) => {
    const o = mustHaveOperation(s);
    o.steps = upsertRecord(o.steps, recordId, (r) => ({
      index,
      id: recordId,
      startedAt: r?.startedAt ?? startedAt,
      finishedAt: outcome.status === "paused" ? null : finishedAt,
      outcome: outcome.status === "paused" ? null : outcome.status,
      detail: outcome.detail,
    }));
    if (outcome.status === "ok") o.cursor = index + 1;
    return s;
  });
  emit(run, step, `${outcome.status}: ${outcome.detail}`);
  return outcome;
}

/**
 * A rollback never calls a region failing now: it looks at the regions the step would call, and
 * those down are left out of it (their stack follows after the hold-out, see impairedView.ts).
 */
async function lookBeforeRollback(run: Run, ctx: StepContext, step: Step): Promise<void> {
  const state = run.handle.current;
  // After a failed gate the operation's change is the likely cause of its regions' failures, and
  // the rollback is what mends them: it reaches every region the operation moved (a retried
  // rollback too, whose state may already read as before). After an abort nothing blames the
  // change, and a region down by both signals is an outage.
  const op = mustHaveOperation(state);
  const all = regionsCalled(step, state);
  const mended = failedForward(op) === undefined ? [] : movedRegions(state, op.before, all);
  const called = all.filter((r) => !mended.includes(r));
  if (called.length === 0) return;
  const down = await run.impaired.look(ctx, called);
  if (down.length === 0) return;
  emit(
    run,
    step,
    `${down.map((d) => `${d.region} is down (${d.detail})`).join("; ")}: the rollback leaves ${down.length === 1 ? "it" : "them"} out and does not call ${down.length === 1 ? "it" : "them"}`,
  );
}

/** A stack update of every region not excluded (a writer move's reconcile, a render of the state). */
function rendersEveryRegion(step: Step): boolean {
  return step.kind === "stackUpdate" && step.targets === undefined;
}

/**
 * A person's run has no watcher verdict beside it: before it renders every region, it looks at
 * them, and those down are left out of the update (the watcher's deferred update renders them).
 */
async function lookBeforeRender(run: Run, ctx: StepContext, step: Step): Promise<void> {
  const down = await run.impaired.look(ctx, regionsCalled(step, run.handle.current));
  if (down.length === 0) return;
  emit(
    run,
    step,
    `${down.map((d) => `${d.region} is down (${d.detail})`).join("; ")}: the update leaves ${down.length === 1 ? "it" : "them"} out`,
  );
}

/**
 * A release in manual mode: a step that would call a region down now pauses before calling it, and
 * a long gate is watched beside it (see regionDownGuard.ts).
 */
async function runRegionGuarded(
  ctx: StepContext,
  step: Step,
  state: OperationalState,
  body: (c: StepContext) => Promise<StepOutcome>,
): Promise<StepOutcome> {
  const called = regionsCalled(step, state);
  // Regions that serve this release's build: their failures are the gate's to judge. The others
  // are only called (their metrics, a baseline; a colour staged but not serving), and failing
  // there is an outage, not the build.
  const moved = new Set(called.filter((r) => servesTheRelease(state, r)));
  const unmoved = called.filter((r) => !moved.has(r));
  const seen = await observeRegions(ctx, called);
  const down = downIn(seen, new Set(unmoved));
  if (down.length > 0) return regionDownPause(down, `step ${step.id}`);
  if ((step.kind === "healthGate" || step.kind === "analysis") && called.length > 0) {
    return runWatchingRegions(ctx, called, `step ${step.id}`, body, seen, moved);
  }
  return body(ctx);
}

function stepContext(run: Run, step: Step, startedAt: number): StepContext {
  const ctx: StepContext = {
    config: run.opts.config,
    ports: run.opts.ports,
    signal: run.signal,
    state: run.handle,
    operationId: run.operationId,
    startedAt,
    progress: (message, region) => emit(run, step, message, region),
    runNested: (nested) => runStep(nested, stepContext(run, nested, run.opts.ports.clock.now())),
    impaired: () => run.impaired.now(),
  };
  return ctx;
}

async function withLease<T>(
  opts: ExecutorOptions,
  operation: string,
  fn: (signal: AbortSignal, ownSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { state: store, clock } = opts.ports;
  const ttl = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const lease = await store.acquireLease(opts.holder, operation, ttl);
  const lost = new AbortController();
  const keeper = new LeaseKeeper(
    lease,
    store,
    clock,
    ttl,
    (err) => lost.abort(err),
    (err) => progressNote(opts, operation, `lease renewal failed (${errorMessage(err)}); retrying`),
  );
  const own = opts.signal === undefined ? lost.signal : AbortSignal.any([opts.signal, lost.signal]);
  const requested = new AbortController();
  const stopWatching =
    opts.abortPollMs === undefined
      ? () => undefined
      : watchAbortRequest(store, clock, operation, opts.abortPollMs, (err) => requested.abort(err));
  try {
    return await fn(AbortSignal.any([own, requested.signal]), own);
  } finally {
    stopWatching();
    await keeper.release().catch(() => undefined);
  }
}

/** Reads the operation in flight, takes the lease for it, and re-reads under the lease. */
async function withOperation(
  opts: ExecutorOptions,
  fn: (run: Run, op: OperationRecord) => Promise<OperationResult>,
  abortsAnotherRun = false,
): Promise<OperationResult> {
  const first = await opts.ports.state.read();
  const inFlight = first?.state.operation;
  if (inFlight === null || inFlight === undefined) {
    throw new OperationStateError(`no operation is in flight in ${opts.ports.state.location}`);
  }
  const run = (): Promise<OperationResult> =>
    withLease(opts, inFlight.id, async (signal, ownSignal) => {
      const stored = await opts.ports.state.read();
      const op = stored?.state.operation;
      if (stored === null || op === null || op === undefined) {
        throw new OperationStateError(`operation ${inFlight.id} finished while this command started`);
      }
      const handle = new StateHandle(opts.ports.state, stored.state, stored.etag, op.id);
      return fn(
        { opts, handle, signal, operationId: op.id, ownSignal, impaired: new ImpairedView(opts.impaired) },
        op,
      );
    });
  if (!abortsAnotherRun) return run();
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof LeaseHeldError) || opts.abortPollMs === undefined || err.operation !== inFlight.id) {
      throw err;
    }
    return abortAnotherRun(opts, inFlight.id, err.holder, opts.abortPollMs);
  }
}

async function advance(run: Run, cursor: number): Promise<void> {
  await run.handle.update((s) => {
    mustHaveOperation(s).cursor = cursor;
    return s;
  });
}

async function setPhase(run: Run, phase: OperationRecord["phase"], reason: string | null): Promise<void> {
  await run.handle.update((s) => {
    const o = mustHaveOperation(s);
    o.phase = phase;
    o.reason = reason;
    return s;
  });
}

async function startCompensation(run: Run, reason: string): Promise<void> {
  emitNote(run, `compensating: ${reason}`);
  await run.handle.update((s) => {
    const o = mustHaveOperation(s);
    o.phase = "compensating";
    o.cursor = 0;
    o.reason = reason;
    return s;
  });
}

/** Ends the operation: it moves from `operation` to `history`. */
async function finish(
  run: Run,
  outcome: "succeeded" | "failed" | "rolledback" | "aborted",
  reason: string | null,
): Promise<OperationResult> {
  const now = iso(run.opts.ports.clock.now());
  const last = mustHaveOperation(run.handle.current);
  await run.handle.update((s) => {
    const { plan: _plan, ...entry } = { ...mustHaveOperation(s), phase: outcome, finishedAt: now, reason };
    return { ...s, operation: null, history: [...s.history, entry].slice(-HISTORY_LIMIT) };
  });
  emitNote(run, `operation ${outcome}${reason === null ? "" : `: ${reason}`}`, last.startedAt);
  return {
    operationId: run.operationId,
    outcome,
    state: run.handle.current,
    ...failedStepOf(last),
    ...(reason === null ? {} : { reason }),
  };
}

function result(run: Run, outcome: OperationOutcome, reason: string): OperationResult {
  const op = mustHaveOperation(run.handle.current);
  return { operationId: run.operationId, outcome, state: run.handle.current, ...failedStepOf(op), reason };
}

function failedStepOf(op: OperationRecord): { failedStep?: string } {
  const step = failedForward(op) ?? op.steps.find((r) => r.outcome === "failed");
  return step === undefined ? {} : { failedStep: step.id };
}

function failedForward(op: OperationRecord): StepRecord | undefined {
  return op.steps.find((r) => r.outcome === "failed" && !r.id.startsWith(COMPENSATION_PREFIX));
}

/** Whether any step that changes something has started: only then is there anything to undo. */
function changedSomething(op: OperationRecord, plan: Plan): boolean {
  return plan.steps.some(
    (s) => MUTATING_KINDS.has(s.kind) && op.steps.some((r) => r.id === s.id && r.outcome !== "skipped"),
  );
}

function upsertRecord(
  records: StepRecord[],
  id: string,
  make: (existing: StepRecord | undefined) => StepRecord,
): StepRecord[] {
  const existing = records.find((r) => r.id === id);
  return existing === undefined
    ? [...records, make(undefined)]
    : records.map((r) => (r.id === id ? make(r) : r));
}

function mustHaveOperation(s: OperationalState): OperationRecord {
  if (s.operation === null) {
    throw new OperationStateError("the operation is no longer in the state document");
  }
  return s.operation;
}

function throwIfInterrupted(run: Run, cause?: unknown): void {
  if (!run.signal.aborted) return;
  const reason: unknown = run.signal.reason;
  if (reason instanceof LeaseLostError) throw reason;
  throw new OperationInterruptedError(run.operationId, cause ?? reason);
}

function emit(run: Run, step: Step, message: string, region?: string): void {
  const op = run.handle.current.operation;
  const now = run.opts.ports.clock.now();
  const started = op === null ? now : Date.parse(op.startedAt);
  try {
    run.opts.onProgress?.({
      at: now,
      operationId: run.operationId,
      stepId: step.id,
      kind: step.kind,
      ...(region === undefined ? {} : { region }),
      message,
      elapsedMs: now - started,
    });
  } catch {
    // A broken progress printer must not break the operation.
  }
}

function emitNote(run: Run, message: string, startedAt = run.handle.current.operation?.startedAt): void {
  progressNote(run.opts, run.operationId, message, startedAt);
}

function progressNote(opts: ExecutorOptions, operationId: string, message: string, startedAt?: string): void {
  const now = opts.ports.clock.now();
  try {
    opts.onProgress?.({
      at: now,
      operationId,
      stepId: "-",
      kind: "operation",
      message,
      elapsedMs: startedAt === undefined ? 0 : now - Date.parse(startedAt),
    });
  } catch {
    // As in emit.
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
