import type { Clock } from "../ports";

/**
 * Bounded retries of transient API errors inside a step, with exponential backoff on the ports'
 * clock (so the drill replays them on its virtual clock). The AWS SDK already retries throttling
 * within one call; this covers an endpoint that fails for seconds, not milliseconds, which would
 * otherwise fail a failover on its first error.
 */

export interface RetryPolicy {
  /** Attempts, the first included. */
  readonly attempts: number;
  /** Delay before the first retry; doubled for each one after it. */
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * 0.5, 1, 2, 4, 8 s between six attempts: about 15 s of an endpoint's errors are absorbed, as
 * before, but a short burst costs half as long on a failover's critical path; six calls in 15 s
 * do not hammer an endpoint.
 */
export const TRANSIENT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 30_000 };

/** Error names (and codes) of failures that may pass on their own: throttling, 5xx, network. */
const TRANSIENT_NAME =
  /throttl|toomanyrequests|requestlimitexceeded|internalfailure|internalerror|serviceunavailable|timeout|unreachable|econnreset|econnrefused|etimedout|eai_again|epipe|networkingerror|socket hang up/i;

/**
 * Whether an error may pass if the call is made again. The SDK marks retryable errors
 * (`$retryable`) and server-side faults (`$fault: "server"`); anything else is judged by its name.
 * A refusal (invalid state, invalid parameter, access denied) is never transient.
 */
export function isTransientError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { $retryable?: unknown; $fault?: unknown; code?: unknown };
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  if (e.$fault === "server") return true;
  return TRANSIENT_NAME.test(e.name) || (typeof e.code === "string" && TRANSIENT_NAME.test(e.code));
}

/** The delay before retry `n` (1-based). */
export function backoffMs(
  n: number,
  policy: Pick<RetryPolicy, "baseMs" | "maxMs"> = TRANSIENT_RETRY,
): number {
  return Math.min(policy.baseMs * 2 ** (n - 1), policy.maxMs);
}

export interface RetryDeps {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Told of each retry before its wait. */
  readonly onRetry?: (err: unknown, retry: number, of: number, delayMs: number) => void;
  /** Whether an error may pass on a new call. Default isTransientError. */
  readonly transient?: (err: unknown) => boolean;
}

/** Calls `fn` until it succeeds, fails with an error that is not transient, or runs out of attempts. */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  deps: RetryDeps,
  policy: RetryPolicy = TRANSIENT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const transient = deps.transient ?? isTransientError;
      if (deps.signal?.aborted === true || attempt >= policy.attempts || !transient(err)) throw err;
      const delay = backoffMs(attempt, policy);
      deps.onRetry?.(err, attempt, policy.attempts - 1, delay);
      await deps.clock.sleep(delay, deps.signal);
    }
  }
}
