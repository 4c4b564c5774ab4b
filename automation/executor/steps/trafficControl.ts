import { controlsFor } from "../../plans/trafficControl";
import type { Step } from "../../plans/steps";
import { TrafficControlUnavailableError } from "../../ports";
import { isTransientError, retryTransient } from "../retry";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { stepRetry } from "../stepRetry";

/**
 * Sets the routing controls to the state as it is now. The adapter already tried every cluster
 * endpoint in turn; when none answered, the whole round is tried again with the step's transient
 * backoff, since a cluster-wide blip passes in seconds. A safety rule's refusal is final.
 */
export async function runTrafficControl(
  step: Extract<Step, { kind: "trafficControl" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const control = ctx.ports.traffic;
  if (control === undefined) {
    return failed("no traffic control: the environment says dns.control arc, but no ARC cluster was opened");
  }
  const wanted = controlsFor(ctx.state.current);
  const on = wanted.on.filter((r) => control.regions.includes(r));
  const off = wanted.off.filter((r) => control.regions.includes(r));
  const missing = [...wanted.on, ...wanted.off].filter((r) => !control.regions.includes(r));
  if (on.length === 0) return failed(`no region would stay on (off: ${off.join(", ")})`);
  try {
    await retryTransient(() => control.setRegions(on, off, ctx.signal), {
      ...stepRetry(ctx, "routing control change", on[0]),
      transient: (err) => err instanceof TrafficControlUnavailableError || isTransientError(err),
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return failed(errorMessage(err));
  }
  const offText = off.length === 0 ? "" : `; off ${off.join(", ")}`;
  const note = missing.length === 0 ? "" : `; ${missing.join(", ")} has no routing control`;
  return ok(`routing controls on ${on.join(", ")}${offText}${note}`);
}
