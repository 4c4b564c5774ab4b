import type { EnvironmentConfig, Strategy } from "../../components/config";
import { type OperationalState, reconcileState } from "../../components/operationalState";
import type { PlanResult } from "./steps";
import { planBlueGreen } from "./promotionBlueGreen";
import { planCanary } from "./promotionCanary";
import { rolloutOrder, servesVersion } from "./promotionOrder";
import { planRolling } from "./promotionRolling";
import { promotionRefusal } from "./promotionSafety";

export interface PromotionOptions {
  /** Default: the config's `release.strategy`. */
  readonly strategy?: Strategy;
  /** Operation id. Default `deploy-<version>-r<state revision>`, so planning stays a pure function. */
  readonly id?: string;
}

/**
 * Plans a release of `version` through the environment, or refuses by a safety rule. Pure: the same
 * (config, state, version, options) always give the same plan. Regions already serving the version
 * are left out.
 */
export function planPromotion(
  config: EnvironmentConfig,
  stored: OperationalState | null,
  version: string,
  options: PromotionOptions = {},
): PlanResult {
  const state = reconcileState(config, stored);
  const refusal = promotionRefusal(state, version);
  if (refusal !== null) {
    return refusal;
  }
  const input = {
    config,
    state,
    version,
    id: options.id ?? `deploy-${version}-r${state.revision}`,
    targets: rolloutOrder(config, state).filter((r) => !servesVersion(state.regions[r], version)),
  };
  switch (options.strategy ?? config.release.strategy) {
    case "rolling":
      return planRolling(input);
    case "blue-green":
      return planBlueGreen(input);
    case "canary":
      return planCanary(input);
  }
}
