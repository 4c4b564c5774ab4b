import type { Clock, MetricPoint, MetricQuery, MetricsSource } from "../ports";
import { judgeRelease, type ReleaseCriteria, type ReleaseVerdict } from "./releaseVerdict";

export interface AnalysisSpec extends ReleaseCriteria {
  readonly canaryRegion: string;
  /** Absent: the new version serves the whole region (a rolling or blue-green wave). */
  readonly canaryColor?: "blue" | "green";
  readonly baselineRegions: readonly string[];
  readonly bakeSeconds: number;
  readonly intervalSeconds: number;
}

export interface AnalysisDeps {
  readonly metrics: MetricsSource;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Called after each sampling round with the verdict so far. */
  readonly onSample?: (verdict: ReleaseVerdict) => void;
}

/**
 * Samples the canary's error rate and p95 latency and the baseline regions' every `intervalSeconds`
 * for `bakeSeconds`, judging after each round (see judgeRelease). A failed metrics query is a missing
 * sample, not a failure: too many missing samples make the verdict inconclusive, which pauses the
 * operation for a person instead of guessing.
 */
export async function runCanaryAnalysis(spec: AnalysisSpec, deps: AnalysisDeps): Promise<ReleaseVerdict> {
  const { clock, metrics, signal } = deps;
  const start = clock.now();
  const end = start + spec.bakeSeconds * 1000;
  const canary = { errorRate: [] as number[], latencyMs: [] as number[] };
  const baseline = { errorRate: [] as number[], latencyMs: [] as number[] };
  const failures: string[] = [];
  let from = start;
  for (;;) {
    const wait = Math.min(spec.intervalSeconds * 1000, end - clock.now());
    if (wait > 0) await clock.sleep(wait, signal);
    signal?.throwIfAborted();
    const to = clock.now();
    const window = { startMs: from, endMs: to, periodSeconds: spec.intervalSeconds };
    const ask = async (
      read: (q: MetricQuery) => Promise<MetricPoint[]>,
      region: string,
      color?: "blue" | "green",
    ): Promise<number[]> => {
      try {
        const points = await read({ region, color, ...window });
        return points.map((p) => p.value).filter((v) => Number.isFinite(v));
      } catch (err) {
        if (signal?.aborted === true) throw err;
        failures.push(`${region}: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
    };
    const errorRate = (q: MetricQuery): Promise<MetricPoint[]> => metrics.errorRate(q);
    const latency = (q: MetricQuery): Promise<MetricPoint[]> => metrics.latencyP95(q);
    const [ce, cl, be, bl] = await Promise.all([
      ask(errorRate, spec.canaryRegion, spec.canaryColor),
      ask(latency, spec.canaryRegion, spec.canaryColor),
      Promise.all(spec.baselineRegions.map((r) => ask(errorRate, r))),
      Promise.all(spec.baselineRegions.map((r) => ask(latency, r))),
    ]);
    canary.errorRate.push(...ce);
    canary.latencyMs.push(...cl);
    baseline.errorRate.push(...be.flat());
    baseline.latencyMs.push(...bl.flat());
    from = to;
    const verdict = judgeRelease(canary, baseline, spec, to >= end);
    deps.onSample?.(verdict);
    if (verdict.decision !== "continue") {
      if (verdict.decision === "inconclusive" && failures.length > 0) {
        return {
          ...verdict,
          reason: `${verdict.reason} (${failures.length} metric queries failed, last: ${failures[failures.length - 1]})`,
        };
      }
      return verdict;
    }
  }
}
