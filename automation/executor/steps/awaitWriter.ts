import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/** Aurora advises about 5 s of DNS caching for the writer endpoint; polling faster gains nothing. */
export const AWAIT_WRITER_POLL_MS = 5_000;

/**
 * Polls through `region` itself until it takes the writes: the global cluster names it the writer
 * (a managed failover or switchover finished), or its own cluster is a standalone writer detached
 * from the global cluster (the detach-and-promote fallback), which the global cluster never names.
 */
export async function runAwaitWriter(
  step: Extract<Step, { kind: "awaitWriter" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const { clock, database } = ctx.ports;
  const start = clock.now();
  const deadline = start + step.timeoutSeconds * 1000;
  let last = "not described yet";
  for (;;) {
    try {
      const view = await database.describe(step.region);
      const after = `after ${Math.round((clock.now() - start) / 1000)} s`;
      if (view.detachedWriter === step.region) {
        return ok(`${step.region} is the writer ${after}: a standalone cluster, detached from ${view.id}`);
      }
      if (view.writer === step.region) {
        return ok(`${step.region} is the writer ${after}`);
      }
      last = `writer ${view.writer ?? "none"}, status ${view.status}`;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      last = errorMessage(err);
    }
    const wait = Math.min(AWAIT_WRITER_POLL_MS, deadline - clock.now());
    if (wait <= 0) {
      return failed(`${step.region} did not become the writer within ${step.timeoutSeconds} s (${last})`);
    }
    await clock.sleep(wait, ctx.signal);
  }
}
