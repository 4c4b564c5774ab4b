import { applyStatePatch } from "../../plans/statePatch";
import type { Step } from "../../plans/steps";
import { ok, type StepContext, type StepOutcome } from "../stepContext";

export async function runPatchState(
  step: Extract<Step, { kind: "patchState" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  await ctx.state.update((s) => applyStatePatch(s, step.patch));
  const regions = Object.keys(step.patch.regions ?? {});
  const writer = step.patch.writer === undefined ? "" : `writer ${step.patch.writer}; `;
  return ok(`${writer}state of ${regions.join(", ") || "no region"} recorded`);
}
