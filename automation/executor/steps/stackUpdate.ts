import { clearDeferred, deferStackUpdate } from "../../plans/deferredStackUpdate";
import type { Step } from "../../plans/steps";
import { StackLockedError, type UpdateResult } from "../../ports";
import { type RetryPolicy, backoffMs } from "../retry";
import { errorMessage, failed, markRegions, ok, type StepContext, type StepOutcome } from "../stepContext";

/** Another update holding the stack lock is usually short; wait for it a few times. */
const LOCK_RETRIES = 3;
const LOCK_RETRY_MS = 30_000;
/** Between attempts of a failed update (steps that ask for more than one): 2, 4, 8 s... */
const UPDATE_BACKOFF: Omit<RetryPolicy, "attempts"> = { baseMs: 2_000, maxMs: 60_000 };

/**
 * Updates the stack for the step's regions. Regions excluded in the live state (impaired) are
 * always excluded and never targeted, whatever the plan said: the controller does not touch an
 * impaired region's control plane. Regions the watcher finds failing now are excluded too unless
 * the step names them as targets: a region that failed after the plan was made must not be called.
 */
export async function runStackUpdate(
  step: Extract<Step, { kind: "stackUpdate" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const pending = ctx.state.current.deferredStackUpdate ?? null;
  if (step.deferOnFailure === true && pending !== null && pending.operationId === ctx.operationId) {
    // An earlier step of this operation just failed to reach the stack: another try now would only
    // fail the same way and hold the operation; the watcher's retry renders everything.
    return ok(
      `deferred with ${pending.stepId}: the watcher updates the stack again from ${pending.nextAttemptAt}`,
    );
  }
  const live = ctx.state.current.regions;
  const named = step.targets ?? [];
  const excludesNow = (): string[] => [
    ...new Set([
      ...(step.excludes ?? []),
      ...Object.keys(live).filter((r) => live[r].excluded),
      ...ctx.impaired().filter((r) => !named.includes(r)),
    ]),
  ];
  let excludes = excludesNow();
  // Each round either succeeds, or fails with no newly failing region to blame (a real failure),
  // or leaves out at least one more region: so it ends within one round per region.
  for (;;) {
    const targets = step.targets?.filter((r) => !excludes.includes(r));
    if (targets !== undefined && targets.length === 0) {
      return ok(`nothing to update: ${step.targets?.join(", ")} excluded`);
    }
    try {
      const result = await updateStack(ctx, step.id, targets, excludes, {
        attempts: step.attempts,
        refresh: step.refresh,
        // A region that failed since this round began is left out by a new round, not retried.
        replan: () => excludesNow().some((r) => !excludes.includes(r)),
      });
      const done = `stack updated for ${targets?.join(", ") ?? "every region"} in ${Math.round(result.durationMs / 1000)} s (${summarise(result.changes)})`;
      if (targets === undefined) {
        // An update of every region not excluded renders the whole state, a deferred one included;
        // not a region it left out only because it is failing now, which nothing else renders
        // until it is held out: the watcher's deferred update does, backing off while it fails.
        const regions = ctx.state.current.regions;
        const unrendered = excludes.filter(
          (r) => !(step.excludes ?? []).includes(r) && regions[r] !== undefined && !regions[r].excluded,
        );
        const pending = ctx.state.current.deferredStackUpdate ?? null;
        if (unrendered.length > 0 && (pending === null || step.deferOnFailure === true)) {
          const left = `${unrendered.join(", ")} failing: left out of the update`;
          const deferred = await defer(step, ctx, left);
          return ok(`${done}; ${deferred.detail}`);
        }
        if (unrendered.length === 0 && pending !== null) await ctx.state.update(clearDeferred);
      }
      return ok(done);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const next = excludesNow();
      const newlyFailing = next.filter((r) => !excludes.includes(r));
      if (newlyFailing.length > 0) {
        // A region failed while the update ran: its silence is why the update failed. Re-plan the
        // update without it rather than failing the operation.
        ctx.progress(
          `${errorMessage(err)}; ${newlyFailing.join(", ")} failed meanwhile, updating without it`,
        );
        excludes = next;
        continue;
      }
      if (step.deferOnFailure === true) return defer(step, ctx, errorMessage(err));
      await markRegions(ctx, targets ?? Object.keys(live), "failed", ["deploying"]);
      return failed(errorMessage(err));
    }
  }
}

/**
 * The move's outcome stands (the state already names the writer and the traffic); the update waits
 * in the state for the watcher to retry it.
 */
async function defer(
  step: Extract<Step, { kind: "stackUpdate" }>,
  ctx: StepContext,
  error: string,
): Promise<StepOutcome> {
  const now = ctx.ports.clock.now();
  await ctx.state.update((s) =>
    deferStackUpdate(s, { operationId: ctx.operationId, stepId: step.id, error, now }),
  );
  const pending = ctx.state.current.deferredStackUpdate;
  const next = pending?.nextAttemptAt ?? "later";
  return ok(`deferred: ${error}; the watcher updates the stack again from ${next}`);
}

export interface UpdateStackOptions {
  /** Attempts, the first included (default 1); a lock wait does not count as one. */
  readonly attempts?: number;
  readonly refresh?: boolean;
  /** Asked after a failed attempt: true gives the failure back at once instead of retrying as is. */
  readonly replan?: () => boolean;
}

export async function updateStack(
  ctx: StepContext,
  stepId: string,
  targets: readonly string[] | undefined,
  excludes: readonly string[],
  options: UpdateStackOptions = {},
): Promise<UpdateResult> {
  const attempts = Math.max(1, options.attempts ?? 1);
  let failures = 0;
  for (let locked = 1; ;) {
    try {
      return await ctx.ports.stack.up({
        targets: targets === undefined ? undefined : { regions: targets },
        excludes: excludes.length === 0 ? undefined : { regions: excludes },
        message: `regionctl ${ctx.operationId}: ${stepId}`,
        signal: ctx.signal,
        onProgress: (line) => ctx.progress(line),
        ...(options.refresh === true ? { refresh: true } : {}),
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (err instanceof StackLockedError) {
        if (locked >= LOCK_RETRIES) throw err;
        locked++;
        ctx.progress(`${err.message}; retrying in ${LOCK_RETRY_MS / 1000} s`);
        await ctx.ports.clock.sleep(LOCK_RETRY_MS, ctx.signal);
        continue;
      }
      failures++;
      if (failures >= attempts || options.replan?.() === true) throw err;
      const delay = backoffMs(failures, UPDATE_BACKOFF);
      ctx.progress(
        `update failed (${errorMessage(err)}); attempt ${failures + 1} of ${attempts} in ${delay / 1000} s`,
      );
      await ctx.ports.clock.sleep(delay, ctx.signal);
    }
  }
}

function summarise(changes: Readonly<Record<string, number>>): string {
  const parts = Object.entries(changes)
    .filter(([op, n]) => n > 0 && op !== "same")
    .map(([op, n]) => `${op} ${n}`);
  return parts.length === 0 ? "no changes" : parts.join(", ");
}
