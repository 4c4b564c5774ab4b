import type { Plan, Step } from "./steps";
import type { PromotionInput } from "./promotionInput";
import { canaryRegion, otherColor, waves } from "./promotionOrder";
import { rollingWaves } from "./promotionRolling";
import {
  analysisStep,
  gateStep,
  patchStep,
  preflightStep,
  restoreCompensation,
  safetyStep,
  statusPatch,
  updateStep,
} from "./promotionSteps";

/**
 * Replicas of the canary colour for a traffic weight. The stable colour keeps its full replica
 * count (no capacity is lost during the canary) and the Service selects both colours, so the
 * canary's share is canary / (stable + canary). Replica counts make the split coarse: with 3 stable
 * pods, 10 % becomes 1 pod (25 %).
 */
export function canaryReplicas(stable: number, weight: number): number {
  if (weight >= 100) return stable;
  return Math.max(1, Math.round((stable * weight) / (100 - weight)));
}

/**
 * Canary: one region (see canaryRegion) runs the new version in its idle colour beside the stable
 * one, at each of `canarySteps` weights, with a health gate and a canary analysis (bake time) at
 * each; at 100 % its Service switches colour. Then the remaining regions follow in rolling waves.
 */
export function planCanary(input: PromotionInput): Plan {
  const { config, state, version, targets } = input;
  const release = config.release;
  const canary = canaryRegion(config, state, targets);
  const rs = state.regions[canary];
  const stableColor = rs.activeColor;
  const canaryColor = otherColor(stableColor);
  const stableSlot = rs.slots[stableColor];
  const stable = config.app.replicas;
  const baseline = config.regions
    .map((r) => r.region)
    .filter((r) => r !== canary && !state.regions[r].drained);

  const steps: Step[] = [preflightStep(config, state)];
  release.canarySteps.forEach((weight, i) => {
    const prefix = `canary-${weight}`;
    if (i > 0) steps.push(safetyStep(`${prefix}/safety`, config, state));
    const patch =
      weight < 100
        ? {
            slots: {
              ...rs.slots,
              [stableColor]: stableSlot,
              [canaryColor]: { version, replicas: canaryReplicas(stable, weight) },
            },
            canaryWeight: weight,
            releaseStatus: "deploying" as const,
          }
        : {
            activeColor: canaryColor,
            version,
            slots: {
              ...rs.slots,
              [stableColor]: stableSlot === null ? null : { ...stableSlot, replicas: 0 },
              [canaryColor]: { version, replicas: stable },
            },
            canaryWeight: null,
            releaseStatus: "deploying" as const,
          };
    steps.push(
      patchStep(
        `${prefix}/patch`,
        weight < 100
          ? `send ${weight} % of ${canary}'s traffic to ${version} (${canaryColor})`
          : `switch all of ${canary}'s traffic to ${version} (${canaryColor})`,
        { [canary]: patch },
      ),
      updateStep(`${prefix}/update`, `update the stack for ${canary}`, [canary], state),
      gateStep(`${prefix}/health`, [canary], config),
    );
    const analysis = analysisStep(`${prefix}/analysis`, canary, canaryColor, baseline, config);
    if (analysis !== null) steps.push(analysis);
  });
  steps.push(patchStep("canary/done", `mark ${canary} deployed`, statusPatch([canary], "deployed")));

  const rest = targets.filter((r) => r !== canary);
  const groups = waves(rest, state.writer, release.maxParallel);
  steps.push(...rollingWaves(input, groups, 1, false));
  return {
    id: input.id,
    kind: "deploy",
    summary: `canary ${version} in ${canary} at ${release.canarySteps.join("/")} %, then ${groups.length} wave(s): ${groups.map((g) => `[${g.join(", ")}]`).join(" -> ") || "none"}`,
    steps,
    compensation: restoreCompensation(targets),
    regions: [...targets],
  };
}
