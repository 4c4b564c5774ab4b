import { runCanaryAnalysis } from "../../gates/canaryAnalysis";
import type { Step } from "../../plans/steps";
import { failed, markRegions, ok, paused, type StepContext, type StepOutcome } from "../stepContext";

/** Canary analysis: pass continues, fail rolls back, inconclusive pauses for a person. */
export async function runAnalysis(
  step: Extract<Step, { kind: "analysis" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const verdict = await runCanaryAnalysis(step, {
    metrics: ctx.ports.metrics,
    clock: ctx.ports.clock,
    signal: ctx.signal,
    onSample: (v) => ctx.progress(`analysis ${v.decision}: ${v.reason}`, step.canaryRegion),
  });
  switch (verdict.decision) {
    case "pass":
      return ok(`canary passed: ${verdict.reason}`);
    case "fail":
      await markRegions(ctx, [step.canaryRegion], "failed", ["deploying"]);
      return failed(`canary failed in ${step.canaryRegion}: ${verdict.reason}`);
    default:
      return paused(`canary analysis inconclusive in ${step.canaryRegion}: ${verdict.reason}`);
  }
}
