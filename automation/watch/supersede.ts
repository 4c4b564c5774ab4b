import type { OperationRecord } from "../../components/operationalState";

export { supersedeOperation } from "../executor/supersede";

/**
 * A failover supersedes an operation that can no longer move on by itself: paused for a person,
 * stuck after a failed rollback, or orphaned by a dead process. Waiting for it while the writer is
 * down would hold the RTO hostage to a release. A running operation with a live lease is not
 * superseded here: it is preempted through the state document (see preemptRelease), and the
 * process running it ends it.
 */
export function supersedable(op: OperationRecord, leaseLive: boolean): boolean {
  if (op.phase === "paused" || op.phase === "failed") return true;
  return (op.phase === "running" || op.phase === "compensating") && !leaseLive;
}
