import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";

/** What every strategy planner gets, once the safety rules have passed. */
export interface PromotionInput {
  readonly config: EnvironmentConfig;
  /** Reconciled with the config. */
  readonly state: OperationalState;
  readonly version: string;
  readonly id: string;
  /** Regions not yet on the version, in rollout order (writer last). */
  readonly targets: readonly string[];
}
