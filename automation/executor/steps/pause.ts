import type { Step } from "../../plans/steps";
import { paused, type StepContext, type StepOutcome } from "../stepContext";

export async function runPause(
  step: Extract<Step, { kind: "pause" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  ctx.progress(
    `paused: ${step.reason}; continue with \`regionctl promote\` or roll back with \`regionctl abort\``,
  );
  return paused(step.reason);
}
