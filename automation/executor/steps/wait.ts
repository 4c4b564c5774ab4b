import type { Step } from "../../plans/steps";
import { ok, type StepContext, type StepOutcome } from "../stepContext";

/** Waits until `seconds` after the step first started, so a resumed run waits only the rest. */
export async function runWait(step: Extract<Step, { kind: "wait" }>, ctx: StepContext): Promise<StepOutcome> {
  const remaining = ctx.startedAt + step.seconds * 1000 - ctx.ports.clock.now();
  if (remaining > 0) {
    ctx.progress(`waiting ${Math.ceil(remaining / 1000)} s`);
    await ctx.ports.clock.sleep(remaining, ctx.signal);
  }
  return ok(`waited ${step.seconds} s`);
}
