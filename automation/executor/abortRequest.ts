import { parseState } from "../../components/operationalState";
import { type Clock, StateConflictError, type StateStore } from "../ports";

/**
 * `abort` from another process: the lease keeps it from running the rollback itself, so it marks
 * the operation in the state document (`abortRequestedBy`), and the run holding the lease, which
 * polls for that mark, stops where it is and compensates. The mark lives in the document, so it
 * works the same in every store and a conflicting write by the runner keeps it (StateHandle
 * re-applies its change to the fresh document).
 */

/**
 * The run stopped because another process asked (see watchAbortRequest). A preemption (the writer
 * failed, and the watcher fails over now) ends the run without compensating: its rollback would
 * call the failed region and hold the failover back.
 */
export class AbortRequestedError extends Error {
  constructor(
    readonly by: string,
    readonly preempted = false,
  ) {
    super(preempted ? `preempted by ${by}` : `abort requested by ${by}`);
    this.name = "AbortRequestedError";
  }
}

const CONFLICT_RETRIES = 5;

/** Marks operation `operationId` for abort; false when it is no longer in flight. */
export function requestAbort(store: StateStore, operationId: string, by: string): Promise<boolean> {
  return markOperation(store, operationId, { abortRequestedBy: by });
}

/**
 * Marks operation `operationId` as preempted by a failover (`by` says whose and why); false when
 * it is no longer in flight.
 */
export function requestPreempt(store: StateStore, operationId: string, by: string): Promise<boolean> {
  return markOperation(store, operationId, { preemptedBy: by });
}

async function markOperation(
  store: StateStore,
  operationId: string,
  mark: { abortRequestedBy: string } | { preemptedBy: string },
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const stored = await store.read();
    const op = stored?.state.operation;
    if (stored === null || op === null || op === undefined || op.id !== operationId) return false;
    const next = parseState(
      {
        ...stored.state,
        revision: stored.state.revision + 1,
        operation: { ...op, ...mark },
      },
      store.location,
    );
    try {
      await store.write(next, stored.etag);
      return true;
    } catch (err) {
      if (!(err instanceof StateConflictError) || attempt >= CONFLICT_RETRIES) throw err;
    }
  }
}

/**
 * Polls the document every `pollMs` while the run lasts; when the operation it runs carries an
 * abort request or a preemption (the preemption wins), fires `onRequest` once. Returns a function that stops polling.
 */
export function watchAbortRequest(
  store: StateStore,
  clock: Clock,
  operationId: string,
  pollMs: number,
  onRequest: (err: AbortRequestedError) => void,
): () => void {
  const stop = new AbortController();
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep(pollMs, stop.signal);
        const op = (await store.read())?.state.operation;
        if (op?.id !== operationId) continue;
        const preempt = op.preemptedBy ?? null;
        const abort = op.abortRequestedBy ?? null;
        if (preempt !== null || abort !== null) {
          onRequest(
            preempt === null ? new AbortRequestedError(abort ?? "") : new AbortRequestedError(preempt, true),
          );
          return;
        }
      } catch {
        // Stopped, or the store failed this once: the run's own writes report a failing store.
      }
    }
  })();
  return () => stop.abort();
}

/**
 * Waits until operation `operationId` has left flight (polling every `pollMs`, at most
 * `timeoutMs`), and returns how it ended from the history, or null when it has not yet.
 */
export async function waitForOperationEnd(
  store: StateStore,
  clock: Clock,
  operationId: string,
  pollMs: number,
  timeoutMs: number,
): Promise<{ phase: string; reason: string | null } | null> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const state = (await store.read())?.state;
    if (state?.operation?.id !== operationId) {
      const entry = [...(state?.history ?? [])].reverse().find((h) => h.id === operationId);
      return entry ?? { phase: "unknown", reason: null };
    }
    if (state.operation.phase === "failed")
      return { phase: "rollback_failed", reason: state.operation.reason };
    if (clock.now() >= deadline) return null;
    await clock.sleep(pollMs);
  }
}
