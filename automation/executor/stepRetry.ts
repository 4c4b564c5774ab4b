import type { RetryDeps } from "./retry";
import { errorMessage, type StepContext } from "./stepContext";

/** Retry settings for a step's API call, reporting each retry as a progress line for `region`. */
export function stepRetry(ctx: StepContext, what: string, region: string): RetryDeps {
  return {
    clock: ctx.ports.clock,
    signal: ctx.signal,
    onRetry: (err, n, of, ms) =>
      ctx.progress(`${what} failed (${errorMessage(err)}); retry ${n} of ${of} in ${ms / 1000} s`, region),
  };
}
