import { regionEndpoints } from "../../gates/endpoints";
import { runHealthGate } from "../../gates/healthGate";
import type { Step } from "../../plans/steps";
import { failed, markRegions, ok, type StepContext, type StepOutcome } from "../stepContext";

export async function runHealthGateStep(
  step: Extract<Step, { kind: "healthGate" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const result = await runHealthGate(
    {
      endpoints: regionEndpoints(ctx.config, step.regions),
      consecutive: step.consecutive,
      timeoutMs: step.timeoutSeconds * 1000,
      intervalMs: ctx.config.dns.healthCheck.intervalSeconds * 1000,
    },
    {
      health: ctx.ports.health,
      clock: ctx.ports.clock,
      signal: ctx.signal,
      onObservation: (region, healthy, streak, detail) =>
        ctx.progress(healthy ? `healthy (${streak}/${step.consecutive})` : `unhealthy: ${detail}`, region),
    },
  );
  if (result.ok) {
    return ok(`${step.regions.join(", ")} healthy after ${Math.round(result.elapsedMs / 1000)} s`);
  }
  const failing = result.failing.map((f) => f.region);
  await markRegions(ctx, failing, "failed", ["deploying"]);
  return failed(
    `not healthy within ${step.timeoutSeconds} s: ${result.failing.map((f) => `${f.region} (${f.detail})`).join("; ")}`,
  );
}
