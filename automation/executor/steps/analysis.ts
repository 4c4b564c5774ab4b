import { runCanaryAnalysis } from "../../gates/canaryAnalysis";
import type { Step } from "../../plans/steps";
import { failed, markRegions, ok, paused, type StepContext, type StepOutcome } from "../stepContext";

/**
 * Analysis of new-version traffic in one region (a canary, or a region of a wave): pass continues,
 * fail rolls back, inconclusive pauses for a person.
 */
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
      return ok(`${step.canaryRegion} passed analysis: ${verdict.reason}`);
    case "fail":
      await markRegions(ctx, [step.canaryRegion], "failed", ["deploying"]);
      return failed(`analysis failed in ${step.canaryRegion}: ${verdict.reason}`);
    default:
      return paused(`analysis inconclusive in ${step.canaryRegion}: ${verdict.reason}`);
  }
}
