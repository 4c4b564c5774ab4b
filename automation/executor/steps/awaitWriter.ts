import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { recordDetachedWriter } from "./dbFailover";

/** Aurora advises about 5 s of DNS caching for the writer endpoint; polling faster gains nothing. */
export const AWAIT_WRITER_POLL_MS = 5_000;

/**
 * Polls through `region` itself until it takes the writes: the global cluster names it the writer
 * (a managed failover or switchover finished), or its own cluster is a standalone writer detached
 * from the global cluster (the detach-and-promote fallback), which the global cluster never names.
 *
 * A target that stops answering for as long as the watcher takes to declare a region failed
 * (failureThreshold observations an interval apart) is abandoned: waiting out the long timeout on a
 * dead endpoint would leave no writer, while the watcher can fail over again to a live region.
 */
export async function runAwaitWriter(
  step: Extract<Step, { kind: "awaitWriter" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const { clock, database } = ctx.ports;
  const start = clock.now();
  const deadline = start + step.timeoutSeconds * 1000;
  const detectionMs =
    ctx.config.failover.failureThreshold * ctx.config.dns.healthCheck.intervalSeconds * 1000;
  let last = "not described yet";
  let unreachableSince: number | null = null;
  let lastWriter: string | null = null;
  for (;;) {
    try {
      const view = await database.describe(step.region);
      const after = `after ${Math.round((clock.now() - start) / 1000)} s`;
      if (view.detachedWriter === step.region) {
        await recordDetachedWriter(ctx, view, step.region);
        return ok(`${step.region} is the writer ${after}: a standalone cluster, detached from ${view.id}`);
      }
      if (view.writer === step.region) {
        return ok(`${step.region} is the writer ${after}`);
      }
      last = `writer ${view.writer ?? "none"}, status ${view.status}`;
      lastWriter = view.writer;
      unreachableSince = null;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      last = errorMessage(err);
      unreachableSince ??= clock.now();
      const silentMs = clock.now() - unreachableSince;
      if (silentMs >= detectionMs) {
        return failed(
          `${step.region} abandoned: unreachable for ${Math.round(silentMs / 1000)} s while taking the writer (${last}); fail over again to a live region`,
        );
      }
    }
    const wait = Math.min(AWAIT_WRITER_POLL_MS, deadline - clock.now());
    if (wait <= 0) {
      // A live target that never took the writes (Aurora kept or restored the writer it had): the
      // state names the writer the database has, not the one this plan hoped for.
      if (lastWriter !== null && lastWriter !== ctx.state.current.writer) {
        const writer = lastWriter;
        await ctx.state.update((s) => ({ ...s, writer }));
      }
      return failed(`${step.region} did not become the writer within ${step.timeoutSeconds} s (${last})`);
    }
    await clock.sleep(wait, ctx.signal);
  }
}
