import type { OperationalState } from "../../components/operationalState";
import { backoffMs } from "../executor/retry";

/**
 * How long the watcher waits before it tries a failed recovery again, read from the state's
 * history so a restarted watcher keeps the pace: the first retry at once (the next tick), then
 * doubling from `baseMs` up to `maxMs`, counted over the run of consecutive failures at the end of
 * the history that `counts` selects.
 */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Retries started at once before the backoff begins (default 0). */
  readonly immediateRetries?: number;
}

/**
 * A failed failover is tried again soon: the writer is down meanwhile. The first retry starts at
 * once: a failover mostly fails on its target (it died mid-promotion, or refused), and the retry
 * plans a new one, so waiting would only add to the time without a writer.
 */
export const FAILOVER_BACKOFF: Backoff = { baseMs: 10_000, maxMs: 300_000, immediateRetries: 1 };
/** The stack lagging behind the state costs less; Route 53 health checks steer meanwhile. */
export const RECONCILE_BACKOFF: Backoff = { baseMs: 30_000, maxMs: 600_000 };

export interface RetryTiming {
  /** Consecutive failures already retried. */
  readonly retries: number;
  /** When the next attempt may start (ms). */
  readonly notBefore: number;
}

export function retryTiming(
  state: OperationalState,
  counts: (op: OperationalState["history"][number]) => boolean,
  isRetry: (op: OperationalState["history"][number]) => boolean,
  backoff: Backoff,
): RetryTiming {
  let retries = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (let i = state.history.length - 1; i >= 0; i--) {
    const op = state.history[i];
    if (!counts(op)) continue;
    if (op.phase !== "failed") break;
    if (lastEnd === Number.NEGATIVE_INFINITY && op.finishedAt !== null) lastEnd = Date.parse(op.finishedAt);
    if (!isRetry(op)) break;
    retries++;
  }
  const immediate = backoff.immediateRetries ?? 0;
  const delay = retries <= immediate ? 0 : backoffMs(retries - immediate, backoff);
  return { retries, notBefore: lastEnd + delay };
}
