import type { Plan, Step } from "./steps";
import type { PromotionInput } from "./promotionInput";
import { waves } from "./promotionOrder";
import {
  gateStep,
  patchStep,
  preflightStep,
  restoreCompensation,
  safetyStep,
  statusPatch,
  updateStep,
  waveAnalysisSteps,
} from "./promotionSteps";

/**
 * Rolling: each wave's regions run the new version in their active colour (Kubernetes replaces the
 * pods in place), then must pass a health gate and an analysis of their error rate and latency
 * against the regions not yet moved before the next wave starts.
 */
export function planRolling(input: PromotionInput): Plan {
  const { config, state, version, targets } = input;
  const steps: Step[] = [preflightStep(config, state)];
  const groups = waves(targets, state.writer, config.release.maxParallel);
  steps.push(...rollingWaves(input, groups, 1, true));
  return {
    id: input.id,
    kind: "deploy",
    summary: `rolling ${version} through ${targets.length} region(s) in ${groups.length} wave(s): ${groups.map((g) => `[${g.join(", ")}]`).join(" -> ")}`,
    steps,
    compensation: restoreCompensation(targets),
    regions: [...targets],
  };
}

/**
 * The waves of a rolling update; canary plans use them for the regions after the canary. Every
 * wave but a plan's very first move starts with a safety gate: nothing moves while a region fails.
 */
export function rollingWaves(
  input: PromotionInput,
  groups: readonly (readonly string[])[],
  firstWave: number,
  afterPreflight: boolean,
): Step[] {
  const { config, state, version, targets } = input;
  const steps: Step[] = [];
  groups.forEach((wave, i) => {
    const n = firstWave + i;
    if (i > 0 || !afterPreflight) steps.push(safetyStep(`wave-${n}/safety`, config, state));
    const patch = Object.fromEntries(
      wave.map((r) => {
        const rs = state.regions[r];
        return [
          r,
          {
            version,
            slots: { ...rs.slots, [rs.activeColor]: { version, replicas: config.app.replicas } },
            releaseStatus: "deploying" as const,
          },
        ];
      }),
    );
    steps.push(
      patchStep(`wave-${n}/patch`, `set ${wave.join(", ")} to ${version} in the active colour`, patch),
      updateStep(`wave-${n}/update`, `update the stack for ${wave.join(", ")}`, wave, state),
      gateStep(`wave-${n}/health`, wave, config),
      ...waveAnalysisSteps(`wave-${n}/analysis`, wave, groups.slice(i + 1).flat(), targets, config, state),
      patchStep(`wave-${n}/done`, `mark ${wave.join(", ")} deployed`, statusPatch(wave, "deployed")),
    );
  });
  return steps;
}
