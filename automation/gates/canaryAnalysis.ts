import type { Clock, MetricsSource } from "../ports";
import { type CanaryCriteria, type CanaryVerdict, judgeCanary } from "./canaryVerdict";

export interface AnalysisSpec extends CanaryCriteria {
  readonly canaryRegion: string;
  readonly canaryColor: "blue" | "green";
  readonly baselineRegions: readonly string[];
  readonly bakeSeconds: number;
  readonly intervalSeconds: number;
}

export interface AnalysisDeps {
  readonly metrics: MetricsSource;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Called after each sampling round with the verdict so far. */
  readonly onSample?: (verdict: CanaryVerdict) => void;
}

/**
 * Samples the canary colour's error rate and the baseline regions' every `intervalSeconds` for
 * `bakeSeconds`, judging after each round (see judgeCanary). A failed metrics query is a missing
 * sample, not a failure: too many missing samples make the verdict inconclusive, which pauses the
 * operation for a person instead of guessing.
 */
export async function runCanaryAnalysis(spec: AnalysisSpec, deps: AnalysisDeps): Promise<CanaryVerdict> {
  const { clock, metrics, signal } = deps;
  const start = clock.now();
  const end = start + spec.bakeSeconds * 1000;
  const canary: number[] = [];
  const baseline: number[] = [];
  const failures: string[] = [];
  let from = start;
  for (;;) {
    const wait = Math.min(spec.intervalSeconds * 1000, end - clock.now());
    if (wait > 0) await clock.sleep(wait, signal);
    signal?.throwIfAborted();
    const to = clock.now();
    const window = { startMs: from, endMs: to, periodSeconds: spec.intervalSeconds };
    const query = async (region: string, color?: "blue" | "green"): Promise<number[]> => {
      try {
        const points = await metrics.errorRate({ region, color, ...window });
        return points.map((p) => p.value).filter((v) => Number.isFinite(v));
      } catch (err) {
        if (signal?.aborted === true) throw err;
        failures.push(`${region}: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
    };
    const [c, ...b] = await Promise.all([
      query(spec.canaryRegion, spec.canaryColor),
      ...spec.baselineRegions.map((r) => query(r)),
    ]);
    canary.push(...c);
    baseline.push(...b.flat());
    from = to;
    const verdict = judgeCanary(canary, baseline, spec, to >= end);
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
