import { type CanaryCriteria, type CanaryVerdict, judgeCanary, latencySignal } from "./canaryVerdict";

/** Per-period samples of the two metrics a release is judged on. */
export interface ReleaseSamples {
  readonly errorRate: readonly number[];
  readonly latencyMs: readonly number[];
}

export interface ReleaseCriteria extends CanaryCriteria {
  /** p95 latency in milliseconds at or above which a release rolls back. */
  readonly maxLatencyMs: number;
}

export interface ReleaseVerdict extends CanaryVerdict {
  /** The latency half of the verdict; null when no latency metric was published anywhere. */
  readonly latency: CanaryVerdict | null;
}

/**
 * Judges new-version traffic on its error rate and its p95 latency, each with judgeCanary's rules
 * (absolute limit, run of bad samples, Mann-Whitney against the baseline at the end). Either
 * failing fails the release; it passes only when both pass. A source that publishes no latency at
 * all, in the canary or the baseline, is judged on errors alone and says so; one that publishes it
 * for some regions must deliver enough canary samples like any other metric.
 */
export function judgeRelease(
  canary: ReleaseSamples,
  baseline: ReleaseSamples,
  criteria: ReleaseCriteria,
  complete: boolean,
): ReleaseVerdict {
  const errors = judgeCanary(canary.errorRate, baseline.errorRate, criteria, complete);
  const noLatency = canary.latencyMs.length === 0 && baseline.latencyMs.length === 0;
  const latency = noLatency
    ? null
    : judgeCanary(
        canary.latencyMs,
        baseline.latencyMs,
        criteria,
        complete,
        latencySignal(criteria.maxLatencyMs),
      );
  const decided = (v: CanaryVerdict): ReleaseVerdict => ({
    ...errors,
    decision: v.decision,
    reason: v.reason,
    latency,
  });
  if (errors.decision === "fail") return decided(errors);
  if (latency?.decision === "fail") return decided(latency);
  if (errors.decision === "continue") return decided(errors);
  if (latency?.decision === "continue") return decided(latency);
  if (errors.decision === "inconclusive") return decided(errors);
  if (latency?.decision === "inconclusive") return decided(latency);
  const tail =
    latency === null ? "; no latency metric published, judged on errors alone" : `; ${latency.reason}`;
  return { ...errors, reason: `${errors.reason}${tail}`, latency };
}
