import type { Step } from "../../plans/steps";
import { errorMessage, failed, isFatal, ok, type StepContext, type StepOutcome } from "../stepContext";

/**
 * Runs branches at once (for example the database promotion beside the DNS change), each branch
 * step by step. Every branch runs to its end even when another fails: stopping a database
 * promotion half way is worse than finishing it. A branch cannot pause.
 */
export async function runParallel(
  step: Extract<Step, { kind: "parallel" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const results = await Promise.all(
    step.branches.map(async (branch, i): Promise<StepOutcome> => {
      for (const nested of branch) {
        let outcome: StepOutcome;
        try {
          outcome = await ctx.runNested(nested);
        } catch (err) {
          if (ctx.signal.aborted || isFatal(err)) throw err;
          outcome = failed(errorMessage(err));
        }
        if (outcome.status === "paused") {
          return failed(
            `branch ${i + 1} step ${nested.id} paused (${outcome.detail}); a parallel branch cannot pause`,
          );
        }
        if (outcome.status === "failed") {
          return failed(`branch ${i + 1} step ${nested.id}: ${outcome.detail}`);
        }
      }
      return ok(`branch ${i + 1} done`);
    }),
  );
  const bad = results.filter((r) => r.status !== "ok");
  return bad.length === 0
    ? ok(`${results.length} branches done`)
    : failed(bad.map((r) => r.detail).join("; "));
}
