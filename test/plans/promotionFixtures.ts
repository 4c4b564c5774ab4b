import type { EnvironmentConfig } from "../../components/config";
import { type OperationalState, initialState } from "../../components/operationalState";
import { type PromotionOptions, planPromotion } from "../../automation/plans/promotion";
import { applyStatePatch } from "../../automation/plans/statePatch";
import { type Plan, type Step, isRefusal } from "../../automation/plans/steps";

/** Helpers the promotion planner tests share: run a plan's state patches, list its updates. */

export function mustPlan(
  config: EnvironmentConfig,
  state: OperationalState | null,
  version: string,
  options: PromotionOptions = {},
): Plan {
  const result = planPromotion(config, state, version, options);
  if (isRefusal(result)) throw new Error(`unexpected refusal: ${result.rule}: ${result.reason}`);
  return result;
}

/** The state after every patchState of `steps`, applied in order (what a successful run leaves). */
export function applyPatches(state: OperationalState, steps: readonly Step[]): OperationalState {
  return steps.reduce((s, step) => (step.kind === "patchState" ? applyStatePatch(s, step.patch) : s), state);
}

/** The state each stackUpdate renders: patches up to it applied. */
export function statesAtUpdates(
  state: OperationalState,
  plan: Plan,
): { step: Step; state: OperationalState }[] {
  const out: { step: Step; state: OperationalState }[] = [];
  let s = state;
  for (const step of plan.steps) {
    if (step.kind === "patchState") s = applyStatePatch(s, step.patch);
    if (step.kind === "stackUpdate") out.push({ step, state: s });
  }
  return out;
}

export function updateTargets(plan: Plan): (readonly string[] | undefined)[] {
  return plan.steps.flatMap((s) => (s.kind === "stackUpdate" ? [s.targets] : []));
}

export function freshState(config: EnvironmentConfig): OperationalState {
  return initialState(config);
}

/** The serving version of a region as the topology would render it. */
export function servingVersion(state: OperationalState, region: string): string | undefined {
  const r = state.regions[region];
  return r.slots[r.activeColor]?.version;
}
