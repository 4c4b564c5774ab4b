import type { Step } from "../../plans/steps";
import { retryTransient } from "../retry";
import { stepRetry } from "../stepRetry";
import { failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/** Sets a cluster's managed-RPO guard and records whether it is relaxed there. */
export async function runRpoGuard(
  step: Extract<Step, { kind: "rpoGuard" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const { clusters } = ctx.ports;
  if (clusters === undefined) {
    return failed("this environment's ports have no member clusters to set the managed-RPO guard on");
  }
  ctx.progress(
    `${step.relaxed ? "relaxing" : "restoring"} the managed-RPO guard (rds.global_db_rpo = ${step.seconds} s) on ${step.region}'s cluster`,
    step.region,
  );
  await retryTransient(
    () => clusters.setRpoGuard(step.region, step.seconds),
    stepRetry(ctx, "ModifyDBClusterParameterGroup", step.region),
  );
  await ctx.state.update((s) => {
    const others = (s.rpoGuardRelaxed ?? []).filter((r) => r !== step.region);
    const relaxed = step.relaxed ? [...others, step.region].sort() : others;
    if (relaxed.length > 0) s.rpoGuardRelaxed = relaxed;
    else delete s.rpoGuardRelaxed;
    return s;
  });
  return ok(
    `${step.region}'s managed-RPO guard is ${step.seconds} s${step.relaxed ? " (relaxed)" : " (as configured)"}`,
  );
}
