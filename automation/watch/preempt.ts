import type { OperationRecord } from "../../components/operationalState";
import { requestPreempt, waitForOperationEnd } from "../executor/abortRequest";
import type { Ports } from "../ports";

/**
 * Operations another process runs that a failed writer preempts: a release (deploy, rollback).
 * Left alone, its health gate on the failed writer waits out its timeout and its rollback updates
 * the failed region's stack, minutes before the failover could start.
 */
export const PREEMPTED_BY_FAILOVER: ReadonlySet<string> = new Set(["deploy", "rollback"]);

/**
 * Writer moves another process runs, preempted as a release is: when the writer they named fails
 * (the old writer before the database was asked to move, or the target once it was: a target that
 * dies mid-switchover), or another region they move does. Left alone, the move waits for its dead
 * target and then rolls back through it, while the database's writer may be the dead region.
 */
export const WRITER_MOVES_PREEMPTED: ReadonlySet<string> = new Set(["switchover", "failback"]);

/** How often the watcher looks whether the preempted run has let go (state and lease). */
const PREEMPT_POLL_MS = 250;

export type PreemptOutcome =
  /** The run ended and released the lease: the failover can start now. */
  | { readonly status: "ended"; readonly phase: string; readonly reason: string | null }
  /** The run has not let go within the wait (it may not poll; its safety gate still pauses it). */
  | { readonly status: "waiting" };

/**
 * Marks `op` as preempted in the state document, which the run holding the lease polls (see
 * watchAbortRequest), and waits at most `waitMs` for that run to end it and release the lease.
 */
export async function preemptOperation(
  ports: Ports,
  op: OperationRecord,
  by: string,
  waitMs: number,
): Promise<PreemptOutcome> {
  const { state: store, clock } = ports;
  const deadline = clock.now() + waitMs;
  await requestPreempt(store, op.id, by);
  const end = await waitForOperationEnd(store, clock, op.id, PREEMPT_POLL_MS, waitMs);
  if (end === null) return { status: "waiting" };
  for (;;) {
    const lease = await store.readLease();
    if (lease === null || lease.operation !== op.id || lease.expiresAt <= clock.now()) {
      return { status: "ended", phase: end.phase, reason: end.reason };
    }
    if (clock.now() >= deadline) return { status: "waiting" };
    await clock.sleep(PREEMPT_POLL_MS);
  }
}
