import type { HealthSettings } from "../../automation/health/settings";

/** The tracker's settings at the config defaults: 3 failures to fail, 3 successes to recover, flap rules. */
export const DEFAULT_HEALTH_SETTINGS: HealthSettings = {
  failureThreshold: 3,
  recoveryThreshold: 3,
  flapTransitions: 4,
  flapWindowMs: 600_000,
  flapCooldownMs: 900_000,
};
