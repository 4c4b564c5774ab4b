import type { Step } from "../../plans/steps";
import { retryTransient } from "../retry";
import { stepRetry } from "../stepRetry";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { newMasterPassword } from "./masterPassword";

/** RDS applies a new master password within seconds to minutes; polling faster gains nothing. */
export const PASSWORD_APPLIED_POLL_MS = 5_000;

/**
 * Writer first, then the secret: while the new password is being applied the secret still holds
 * the old one, which the cluster accepts until then; once the writer has the new one, the secret
 * gets it. The password lives only in this function; no record, message or error carries it.
 */
export async function runRotatePassword(
  step: Extract<Step, { kind: "rotatePassword" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const { clusters, secret, database, clock } = ctx.ports;
  if (clusters === undefined || secret === undefined) {
    return failed("this environment's ports have no member clusters or database secret to rotate");
  }
  const retrying = (what: string) => stepRetry(ctx, what, step.region);
  const view = await retryTransient(() => database.describe(step.region), retrying("describe"));
  if (view.writer !== step.region) {
    return failed(
      `the writer is ${view.writer ?? "moving"}, not ${step.region}; nothing was changed: run the rotation again`,
    );
  }

  const password = newMasterPassword();
  ctx.progress(`setting a new master password on ${step.region}'s cluster (the writer)`, step.region);
  await retryTransient(() => clusters.setMasterPassword(step.region, password), retrying("ModifyDBCluster"));

  const start = clock.now();
  const deadline = start + step.timeoutSeconds * 1000;
  let last = "not described yet";
  for (;;) {
    // The first look waits too: right after the change RDS may still report the cluster as it was.
    const wait = Math.min(PASSWORD_APPLIED_POLL_MS, deadline - clock.now());
    if (wait <= 0) {
      return failed(
        `${step.region}'s cluster did not apply the new password within ${step.timeoutSeconds} s (${last}); the secret still holds the previous password: run \`regionctl rotate-password\` again once the cluster is available`,
      );
    }
    await clock.sleep(wait, ctx.signal);
    try {
      const c = await clusters.describe(step.region);
      if (c.status === "available" && !c.passwordPending) break;
      last = `status ${c.status}${c.passwordPending ? ", password pending" : ""}`;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      last = errorMessage(err);
    }
  }
  const appliedAfter = Math.round((clock.now() - start) / 1000);

  ctx.progress(`writing the new password to the database secret ${secret.location}`, step.region);
  await retryTransient(() => secret.putPassword(password), retrying("PutSecretValue"));
  return ok(
    `new master password on ${step.region}'s cluster (applied after ${appliedAfter} s), then in the database secret ${secret.location}`,
  );
}
