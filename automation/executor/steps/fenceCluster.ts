import { fenceDone } from "../../plans/fence";
import type { Step } from "../../plans/steps";
import { retryTransient } from "../retry";
import { stepRetry } from "../stepRetry";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/**
 * Stops a cluster a detach left writable, through its own region (back by now: the plan runs only
 * for a healthy region). The state's fence item goes only once the cluster is stopped, so a failed
 * or interrupted fence is tried again by the next plan that brings the region back.
 */
export async function runFenceCluster(
  step: Extract<Step, { kind: "fenceCluster" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  try {
    await retryTransient(
      () => ctx.ports.database.fenceCluster(step.region, step.region),
      stepRetry(ctx, "StopDBCluster", step.region),
    );
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return failed(`${step.clusterIdentifier} in ${step.region} could not be fenced: ${errorMessage(err)}`);
  }
  await ctx.state.update((s) => fenceDone(s, step.region));
  return ok(`${step.clusterIdentifier} in ${step.region} stopped: nothing can write to it`);
}
