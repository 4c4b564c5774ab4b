import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/** Aurora advises about 5 s of DNS caching for the writer endpoint; polling faster gains nothing. */
export const AWAIT_WRITER_POLL_MS = 5_000;

/** Polls the global cluster through `region` itself until it reports `region` as the writer. */
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
      if (view.writer === step.region) {
        return ok(`${step.region} is the writer after ${Math.round((clock.now() - start) / 1000)} s`);
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
