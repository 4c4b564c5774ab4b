import type { EnvironmentConfig } from "../../components/config";
import { FALSE_ALARM, PROBE_WINDOW } from "./failureWindow";

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
  /**
   * The error rate a healthy region may show to the direct probes: more failures than this
   * explains, within the probe window, make the region unhealthy before `failureThreshold` failures
   * in a row (see `failureWindow.ts`). Absent: only failures in a row count.
   */
  readonly noiseErrorRate?: number;
  /**
   * Consecutive healthy samples before a region that failed only partly (some probes answered in
   * between: a degradation, a flap) is healthy again. A quarter of requests failing still answers
   * three probes in a row four times in ten, so those need a run that a region failing at the
   * rollback error rate shows less often than the detector's false-alarm rate. Absent:
   * `recoveryThreshold` for every fault.
   */
  readonly partialRecoveryThreshold?: number;
}

export function healthSettings(config: EnvironmentConfig): HealthSettings {
  const f = config.failover;
  return {
    failureThreshold: f.failureThreshold,
    recoveryThreshold: f.recoveryThreshold,
    flapTransitions: f.flapTransitions,
    flapWindowMs: f.flapWindowSeconds * 1000,
    flapCooldownMs: f.flapCooldownSeconds * 1000,
    // The failover's own line between a fit region and a degraded one.
    noiseErrorRate: f.maxTargetErrorRate,
    partialRecoveryThreshold: Math.max(f.recoveryThreshold, cleanRunNeeded(config.release.rollbackErrorRate)),
  };
}

/**
 * Successes in a row that a region failing at `errorRate` shows with at most the detector's
 * false-alarm chance, within the probe window.
 */
export function cleanRunNeeded(errorRate: number): number {
  if (errorRate <= 0) return 1;
  if (errorRate >= 1) return 1;
  return Math.min(PROBE_WINDOW, Math.ceil(Math.log(FALSE_ALARM) / Math.log(1 - errorRate)));
}
