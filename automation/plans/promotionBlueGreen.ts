import type { Plan, Step } from "./steps";
import type { PromotionInput } from "./promotionInput";
import { otherColor } from "./promotionOrder";
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
 * Blue-green: the new version starts in every region's idle colour (no traffic yet), then each
 * region's Service switches colour one region at a time behind a health gate and an analysis of
 * its error rate and latency against the regions not yet switched. The old colour keeps running
 * for `scaleDownDelaySeconds`, so a rollback is a selector switch, not a redeploy.
 */
export function planBlueGreen(input: PromotionInput): Plan {
  const { config, state, version, targets } = input;
  const replicas = config.app.replicas;
  const stage = Object.fromEntries(
    targets.map((r) => {
      const rs = state.regions[r];
      const idle = otherColor(rs.activeColor);
      return [
        r,
        { slots: { ...rs.slots, [idle]: { version, replicas } }, releaseStatus: "deploying" as const },
      ];
    }),
  );
  const steps: Step[] = [
    preflightStep(config, state),
    patchStep("stage/patch", `start ${version} in the idle colour of ${targets.join(", ")}`, stage),
    updateStep(
      "stage/update",
      `update the stack for ${targets.join(", ")} (idle colour only)`,
      targets,
      state,
    ),
    gateStep("stage/health", targets, config),
  ];
  targets.forEach((r, k) => {
    const idle = otherColor(state.regions[r].activeColor);
    steps.push(
      safetyStep(`switch-${r}/safety`, config, state),
      patchStep(`switch-${r}/patch`, `switch ${r}'s traffic to ${idle} (${version})`, {
        [r]: { activeColor: idle, version },
      }),
      updateStep(`switch-${r}/update`, `update the stack for ${r}`, [r], state),
      gateStep(`switch-${r}/health`, [r], config),
      ...waveAnalysisSteps(`switch-${r}/analysis`, [r], targets.slice(k + 1), targets, config, state),
      patchStep(`switch-${r}/done`, `mark ${r} deployed`, statusPatch([r], "deployed")),
    );
  });
  if (config.release.scaleDownDelaySeconds > 0) {
    steps.push({
      kind: "wait",
      id: "scale-down/wait",
      description: `keep the old colour running ${config.release.scaleDownDelaySeconds} s for a one-switch rollback`,
      seconds: config.release.scaleDownDelaySeconds,
    });
  }
  const scaleDown = Object.fromEntries(
    targets.map((r) => {
      const rs = state.regions[r];
      const old = rs.activeColor;
      const oldSlot = rs.slots[old];
      return [
        r,
        {
          slots: {
            ...rs.slots,
            [otherColor(old)]: { version, replicas },
            [old]: oldSlot === null ? null : { ...oldSlot, replicas: 0 },
          },
        },
      ];
    }),
  );
  steps.push(
    safetyStep("scale-down/safety", config, state),
    patchStep("scale-down/patch", `scale the old colour to 0 in ${targets.join(", ")}`, scaleDown),
    updateStep("scale-down/update", `update the stack for ${targets.join(", ")}`, targets, state),
  );
  return {
    id: input.id,
    kind: "deploy",
    summary: `blue-green ${version}: stage in the idle colour of ${targets.length} region(s), switch ${targets.join(" -> ")}`,
    steps,
    compensation: restoreCompensation(targets),
    regions: [...targets],
  };
}
