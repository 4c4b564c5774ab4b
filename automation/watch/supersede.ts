import {
  HISTORY_LIMIT,
  type OperationRecord,
  type OperationalState,
} from "../../components/operationalState";

/**
 * A failover supersedes an operation that can no longer move on by itself: paused for a person,
 * stuck after a failed rollback, or orphaned by a dead process. Waiting for it while the writer is
 * down would hold the RTO hostage to a release. A running operation with a live lease is never
 * superseded: it ends first (its own gates fail on the dead region).
 */
export function supersedable(op: OperationRecord, leaseLive: boolean): boolean {
  if (op.phase === "paused" || op.phase === "failed") return true;
  return (op.phase === "running" || op.phase === "compensating") && !leaseLive;
}

/** Ends the operation in flight as `aborted`, into the history, with why; the regions stay as they are. */
export function supersedeOperation(state: OperationalState, reason: string, now: number): OperationalState {
  const op = state.operation;
  if (op === null) return state;
  const { plan: _plan, ...record } = op;
  const ended = { ...record, phase: "aborted" as const, finishedAt: new Date(now).toISOString(), reason };
  return { ...state, operation: null, history: [...state.history, ended].slice(-HISTORY_LIMIT) };
}
