import type { EnvironmentConfig } from "../../components/config";

/** The knobs of the region health tracker, in milliseconds where they are times. */
export interface HealthSettings {
  /** Consecutive failed samples before a healthy region is unhealthy. */
  readonly failureThreshold: number;
  /** Consecutive healthy samples before an unhealthy region is healthy again (hysteresis). */
  readonly recoveryThreshold: number;
  /** Verdict changes inside `flapWindowMs` that mark a region as flapping. */
  readonly flapTransitions: number;
  readonly flapWindowMs: number;
  /** How long a flapping region is held out. */
  readonly flapCooldownMs: number;
}

export function healthSettings(config: EnvironmentConfig): HealthSettings {
  const f = config.failover;
  return {
    failureThreshold: f.failureThreshold,
    recoveryThreshold: f.recoveryThreshold,
    flapTransitions: f.flapTransitions,
    flapWindowMs: f.flapWindowSeconds * 1000,
    flapCooldownMs: f.flapCooldownSeconds * 1000,
  };
}
