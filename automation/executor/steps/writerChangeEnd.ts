import type { GlobalClusterView } from "../../ports";
import { errorMessage, type StepContext } from "../stepContext";

/**
 * Tighter than the await-writer step's poll: this promotion cannot even be asked for until the
 * change in progress ends, so each second between its end and our look is a second more without a
 * writer. One describe a second through a live region is far inside the API's rate limits.
 */
const POLL_MS = 1_000;

/**
 * Waits, through `via`, until the writer change the database reports in progress (no writer named)
 * has ended, and returns the view that names the writer it ended with. A change in progress may be
 * towards another region: a switchover or failover whose target then died. Taking it for this
 * promotion would wait on a writer that never comes, while the database names the dead region.
 *
 * Gives up ("unreachable") when `via` stops answering for as long as the watcher takes to declare a
 * region failed, and ("timeout") after `timeoutSeconds`.
 */
export async function writerChangeEnd(
  ctx: StepContext,
  via: string,
  first: GlobalClusterView,
  timeoutSeconds: number,
): Promise<
  | { readonly status: "ended"; readonly view: GlobalClusterView }
  | { readonly status: "unreachable"; readonly detail: string }
  | { readonly status: "timeout"; readonly detail: string }
> {
  const { clock, database } = ctx.ports;
  const start = clock.now();
  const detectionMs =
    ctx.config.failover.failureThreshold * ctx.config.dns.healthCheck.intervalSeconds * 1000;
  let view = first;
  let silentSince: number | null = null;
  let last = `status ${first.status}`;
  for (;;) {
    if (view.writer !== null || view.detachedWriter !== undefined) return { status: "ended", view };
    if (clock.now() - start >= timeoutSeconds * 1000) {
      return {
        status: "timeout",
        detail: `the writer change did not end within ${timeoutSeconds} s (${last})`,
      };
    }
    await clock.sleep(POLL_MS, ctx.signal);
    try {
      view = await database.describe(via);
      last = `status ${view.status}`;
      silentSince = null;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      last = errorMessage(err);
      silentSince ??= clock.now();
      if (clock.now() - silentSince >= detectionMs) return { status: "unreachable", detail: last };
    }
  }
}
