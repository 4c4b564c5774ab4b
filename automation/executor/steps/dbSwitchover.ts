import type { Step } from "../../plans/steps";
import { retryTransient } from "../retry";
import { stepRetry } from "../stepRetry";
import { failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/**
 * Planned switchover (RPO 0), refused unless the target's replication lag is known and small.
 * Transient API errors are retried with backoff, as in a failover.
 */
export async function runDbSwitchover(
  step: Extract<Step, { kind: "dbSwitchover" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const db = ctx.ports.database;
  const retrying = (what: string) => stepRetry(ctx, what, step.to);
  const view = await retryTransient(() => db.describe(step.to), retrying("describe"));
  if (view.writer === step.to) {
    return ok(`${step.to} is already the writer`);
  }
  const member = view.members.find((m) => m.region === step.to);
  if (member === undefined) {
    return failed(`${step.to} is not a member of global cluster ${view.id}`);
  }
  if (member.lagSeconds === null || member.lagSeconds > step.maxLagSeconds) {
    const lag = member.lagSeconds === null ? "unknown" : `${member.lagSeconds} s`;
    return failed(`switchover to ${step.to} refused: replication lag ${lag}, limit ${step.maxLagSeconds} s`);
  }
  ctx.progress(`switching the global database writer to ${step.to} (lag ${member.lagSeconds} s)`, step.to);
  await retryTransient(() => db.switchover(step.to, step.to), retrying("SwitchoverGlobalCluster"));
  return ok(`switchover to ${step.to} started`);
}
