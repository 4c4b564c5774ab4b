import {
  HISTORY_LIMIT,
  type OperationRecord,
  type OperationalState,
} from "../../components/operationalState";
import { planFromRecord } from "../executor/planRecord";
import { movedRegions, restoreInState } from "../plans/restoreRegions";

/**
 * A failover supersedes an operation that can no longer move on by itself: paused for a person,
 * stuck after a failed rollback, or orphaned by a dead process. Waiting for it while the writer is
 * down would hold the RTO hostage to a release. A running operation with a live lease is never
 * superseded: it ends first (a promotion pauses itself when the writer fails; see safetyGate).
 */
export function supersedable(op: OperationRecord, leaseLive: boolean): boolean {
  if (op.phase === "paused" || op.phase === "failed") return true;
  return (op.phase === "running" || op.phase === "compensating") && !leaseLive;
}

/**
 * Ends the operation in flight as `aborted`, into the history, with why. What it would have rolled
 * back is rolled back in the state, in the same write: every region its restore step covers goes
 * back to where it was before the operation (marked `rolledback`), so no release is left half
 * done. The stack update of the operation that supersedes it (the failover's) renders that; an
 * excluded region follows when it is readmitted, as after any restore.
 */
export function supersedeOperation(state: OperationalState, reason: string, now: number): OperationalState {
  const op = state.operation;
  if (op === null) return state;
  const regions = restoredRegions(op);
  const moved = movedRegions(state, op.before, regions);
  const restored = restoreInState(state, op.before, moved);
  for (const r of moved) restored.regions[r] = { ...restored.regions[r], releaseStatus: "rolledback" };
  const note = moved.length === 0 ? "" : `; ${moved.join(", ")} rolled back in the state`;
  const { plan: _plan, ...record } = op;
  const ended = {
    ...record,
    phase: "aborted" as const,
    finishedAt: new Date(now).toISOString(),
    reason: `${reason}${note}`,
  };
  return { ...restored, operation: null, history: [...state.history, ended].slice(-HISTORY_LIMIT) };
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
