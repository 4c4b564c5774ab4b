import { type MannWhitneyResult, mannWhitneyGreater } from "./mannWhitney";

/** Samples per side from which the Mann-Whitney comparison is made. */
export const MANN_WHITNEY_MIN_SAMPLES = 8;
export const MANN_WHITNEY_ALPHA = 0.05;
/**
 * A significant difference still has to matter: the canary's mean error rate must exceed the
 * baseline's by this fraction of the rollback threshold, or a good build would be rolled back for
 * a statistically detectable but negligible difference (0.2 % vs 0.1 %).
 */
export const MANN_WHITNEY_MIN_EFFECT = 0.1;
/** Likewise for latency: the canary must be at least this much slower than the baseline (20 %). */
export const LATENCY_MIN_RELATIVE_EFFECT = 0.2;

/** What one metric is judged against: its absolute limit and the smallest difference that matters. */
export interface Signal {
  readonly name: string;
  readonly limit: number;
  readonly format: (value: number) => string;
  /** Smallest canary-minus-baseline mean that fails a significant Mann-Whitney comparison. */
  readonly minEffect: (baselineMean: number) => number;
}

export function errorRateSignal(maxErrorRate: number): Signal {
  return {
    name: "error rate",
    limit: maxErrorRate,
    format: pct,
    minEffect: () => MANN_WHITNEY_MIN_EFFECT * maxErrorRate,
  };
}

export function latencySignal(maxLatencyMs: number): Signal {
  return {
    name: "p95 latency",
    limit: maxLatencyMs,
    format: (v) => `${Math.round(v)} ms`,
    minEffect: (baselineMean) => LATENCY_MIN_RELATIVE_EFFECT * baselineMean,
  };
}

export interface CanaryCriteria {
  readonly maxErrorRate: number;
  readonly minSamples: number;
  readonly consecutiveFailureLimit: number;
}

export type CanaryDecision = "pass" | "fail" | "inconclusive" | "continue";

export interface CanaryVerdict {
  readonly decision: CanaryDecision;
  readonly reason: string;
  readonly canaryMean: number | null;
  readonly baselineMean: number | null;
  readonly canarySamples: number;
  readonly baselineSamples: number;
  readonly mannWhitney: MannWhitneyResult | null;
}

/**
 * Judges a canary from one metric's samples (the error rate unless `signal` says otherwise) and the
 * baseline regions'. Failing fast is allowed at
 * any time (a run of bad samples, or a mean over the limit once there are enough samples); a pass
 * only when the bake is `complete`. The Mann-Whitney comparison also runs only then: testing after
 * every sample would inflate its false-positive rate.
 */
export function judgeCanary(
  canary: readonly number[],
  baseline: readonly number[],
  criteria: CanaryCriteria,
  complete: boolean,
  signal: Signal = errorRateSignal(criteria.maxErrorRate),
): CanaryVerdict {
  const fmt = signal.format;
  const canaryMean = mean(canary);
  const baselineMean = mean(baseline);
  const base = {
    canaryMean,
    baselineMean,
    canarySamples: canary.length,
    baselineSamples: baseline.length,
    mannWhitney: null,
  };
  const streak = trailingFailures(canary, signal.limit);
  if (streak >= criteria.consecutiveFailureLimit) {
    return {
      ...base,
      decision: "fail",
      reason: `${streak} consecutive samples at or above the ${fmt(signal.limit)} ${signal.name} limit`,
    };
  }
  if (canary.length >= criteria.minSamples && canaryMean !== null && canaryMean >= signal.limit) {
    return {
      ...base,
      decision: "fail",
      reason: `${signal.name} ${fmt(canaryMean)} over ${canary.length} samples is at or above the ${fmt(signal.limit)} limit`,
    };
  }
  if (!complete) {
    return { ...base, decision: "continue", reason: `${canary.length} sample(s) so far` };
  }
  if (canary.length >= MANN_WHITNEY_MIN_SAMPLES && baseline.length >= MANN_WHITNEY_MIN_SAMPLES) {
    const mw = mannWhitneyGreater(canary, baseline);
    const effect = (canaryMean ?? 0) - (baselineMean ?? 0);
    if (mw.p < MANN_WHITNEY_ALPHA && effect >= signal.minEffect(baselineMean ?? 0)) {
      return {
        ...base,
        mannWhitney: mw,
        decision: "fail",
        reason: `canary ${signal.name} ${fmt(canaryMean ?? 0)} is significantly above the baseline's ${fmt(baselineMean ?? 0)} (Mann-Whitney U=${mw.u}, p=${mw.p.toPrecision(2)})`,
      };
    }
    return {
      ...base,
      mannWhitney: mw,
      decision: "pass",
      reason: passReason(signal, canary.length, canaryMean, mw),
    };
  }
  if (canary.length >= criteria.minSamples) {
    return { ...base, decision: "pass", reason: passReason(signal, canary.length, canaryMean, null) };
  }
  return {
    ...base,
    decision: "inconclusive",
    reason: `only ${canary.length} of the ${criteria.minSamples} canary ${signal.name} samples needed arrived; a person must decide`,
  };
}

function passReason(signal: Signal, n: number, m: number | null, mw: MannWhitneyResult | null): string {
  const tail = mw === null ? "" : ` (no significant difference from the baseline, p=${mw.p.toPrecision(2)})`;
  return `${signal.name} ${signal.format(m ?? 0)} over ${n} samples${tail}`;
}

function trailingFailures(samples: readonly number[], limit: number): number {
  let n = 0;
  for (let i = samples.length - 1; i >= 0 && samples[i] >= limit; i--) n++;
  return n;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)} %`;
}
