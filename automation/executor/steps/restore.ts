import { deferStackUpdate } from "../../plans/deferredStackUpdate";
import { hasMoved, restoreInState } from "../../plans/restoreRegions";
import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { updateStack } from "./stackUpdate";

/**
 * Compensation: every region that moved during the operation goes back to its state from before
 * it (the PREVIOUS version and colour, from the operation's `before` snapshot), the stack is
 * updated for exactly those regions, and they are marked `rolledback`, or `rollback_failed` when
 * their update fails. Regions that never moved are left alone.
 *
 * One region's failing update must not hold the others on the new version: when the joint update
 * fails, each region is updated on its own. A region excluded meanwhile (impaired, e.g. failed
 * over) is restored in state only: its drain and note stay as the failover set them, its stack is
 * not touched (blast radius), and it renders the restored state when it is readmitted. A region
 * failing now but not yet held out (`ctx.impaired`) is restored in state only too, and its stack
 * update is queued for the watcher (the deferred stack update), which renders it later.
 *
 * Idempotent: a region counts as moved while its state differs from `before` or its release status
 * shows the operation touched it and it is not yet `rolledback`, so a retry after a failed or
 * interrupted restore updates the stack again even though the document already matches `before`.
 */
export async function runRestore(
  step: Extract<Step, { kind: "restore" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const op = ctx.state.current.operation;
  if (op === null) {
    return failed("no operation in flight to restore");
  }
  const before = op.before;
  const now = ctx.state.current.regions;
  const moved = step.regions.filter(
    (r) => before[r] !== undefined && now[r] !== undefined && hasMoved(now[r], before[r]),
  );
  if (moved.length === 0) {
    return ok("no region had moved; nothing to restore");
  }
  ctx.progress(
    `restoring ${moved.join(", ")} to ${moved.map((r) => `${before[r].version} (${before[r].activeColor})`).join(", ")}`,
  );
  await ctx.state.update((s) => restoreInState(s, before, moved));

  const live = ctx.state.current.regions;
  const excluded = Object.keys(live).filter((r) => live[r].excluded);
  const failing = ctx.impaired().filter((r) => live[r] !== undefined && !excluded.includes(r));
  const leftOut = [...excluded, ...failing];
  const targets = moved.filter((r) => !leftOut.includes(r));
  const deferred = moved.filter((r) => leftOut.includes(r));
  const unrendered = moved.filter((r) => failing.includes(r));
  if (unrendered.length > 0) {
    // Not held out (yet), so no readmission will render it: the watcher's deferred update does,
    // once the region answers again or has been held out.
    const now = ctx.ports.clock.now();
    const error = `${unrendered.join(", ")} failing: restored in state, stack not updated`;
    await ctx.state.update((s) =>
      deferStackUpdate(s, { operationId: ctx.operationId, stepId: step.id, error, now }),
    );
  }
  const failures = await updateRegions(ctx, step.id, targets, leftOut);
  const stuck = targets.filter((r) => failures.has(r));
  const rolledBack = [...targets.filter((r) => !failures.has(r)), ...deferred];
  await ctx.state.update((s) => {
    for (const r of rolledBack) s.regions[r] = { ...s.regions[r], releaseStatus: "rolledback" };
    for (const r of stuck) s.regions[r] = { ...s.regions[r], releaseStatus: "rollback_failed" };
    return s;
  });
  const heldOut = deferred.filter((r) => excluded.includes(r));
  const deferredNote =
    (heldOut.length === 0
      ? ""
      : `; ${heldOut.join(", ")} excluded (impaired): restored in state, the stack follows when readmitted`) +
    (unrendered.length === 0
      ? ""
      : `; ${unrendered.join(", ")} failing, not called: restored in state, the watcher updates its stack later`);
  if (stuck.length > 0) {
    const why = stuck.map((r) => `${r}: ${failures.get(r)}`).join("; ");
    const done = rolledBack.length === 0 ? "" : ` (rolled back ${rolledBack.join(", ")})`;
    return failed(`rollback of ${stuck.join(", ")} failed${done}: ${why}${deferredNote}`);
  }
  return ok(`rolled back ${rolledBack.join(", ")}${deferredNote}`);
}

/** Updates the regions together, or each on its own when that fails. Returns each failed region's error. */
async function updateRegions(
  ctx: StepContext,
  stepId: string,
  regions: readonly string[],
  excludes: readonly string[],
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (regions.length === 0) return failures;
  try {
    await updateStack(ctx, stepId, regions, excludes);
    return failures;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (regions.length === 1) return failures.set(regions[0], errorMessage(err));
    ctx.progress(`joint rollback update failed (${errorMessage(err)}); updating each region on its own`);
  }
  for (const region of regions) {
    try {
      await updateStack(ctx, stepId, [region], excludes);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      failures.set(region, errorMessage(err));
    }
  }
  return failures;
}
