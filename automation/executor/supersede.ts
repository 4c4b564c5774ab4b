import {
  HISTORY_LIMIT,
  type OperationRecord,
  type OperationalState,
} from "../../components/operationalState";
import { deferStackUpdate } from "../plans/deferredStackUpdate";
import { movedRegions, restoreInState } from "../plans/restoreRegions";
import { planFromRecord } from "./planRecord";

/**
 * Ends the operation in flight as `aborted`, into the history, with why. What it would have rolled
 * back is rolled back in the state, in the same write: every region its restore step covers goes
 * back to where it was before the operation (marked `rolledback`), so no release is left half
 * done. No region is called: the stack update of the operation that supersedes it (the failover's)
 * renders that, and a failed or excluded region follows when it is readmitted, as after any
 * restore; the deferred stack update queued here covers the rest. Steps still open are recorded as
 * skipped.
 */
export function supersedeOperation(state: OperationalState, reason: string, now: number): OperationalState {
  const op = state.operation;
  if (op === null) return state;
  const regions = restoredRegions(op);
  const moved = movedRegions(state, op.before, regions);
  const restored = restoreInState(state, op.before, moved);
  for (const r of moved) restored.regions[r] = { ...restored.regions[r], releaseStatus: "rolledback" };
  const note = moved.length === 0 ? "" : `; ${moved.join(", ")} rolled back in the state`;
  const finishedAt = new Date(now).toISOString();
  const { plan: _plan, ...record } = op;
  const ended = {
    ...record,
    steps: record.steps.map((r) =>
      r.finishedAt === null ? { ...r, finishedAt, outcome: "skipped" as const, detail: reason } : r,
    ),
    phase: "aborted" as const,
    finishedAt,
    reason: `${reason}${note}`,
  };
  const endedState = {
    ...restored,
    operation: null,
    history: [...state.history, ended].slice(-HISTORY_LIMIT),
  };
  // The superseding operation's stack update renders the rollback; when none comes (a failover
  // refused), or it must leave a region out, the watcher's deferred update does.
  return moved.length === 0
    ? endedState
    : deferStackUpdate(endedState, {
        operationId: op.id,
        stepId: "superseded",
        error: `${moved.join(", ")} rolled back in the state; the stack follows`,
        now,
      });
}

/** The regions the operation's compensation restores (none for operations without a restore step). */
function restoredRegions(op: OperationRecord): string[] {
  try {
    const plan = planFromRecord(op.id, op.plan);
    return [...new Set(plan.compensation.flatMap((s) => (s.kind === "restore" ? s.regions : [])))];
  } catch {
    // An unreadable plan cannot say what it moved; superseding must still not be blocked by it.
    return [];
  }
}
