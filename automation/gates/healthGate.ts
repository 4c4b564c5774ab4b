import { sampleHealthy } from "../health/sampleVerdict";
import type { Clock, HealthSample, HealthSource, RegionEndpoint } from "../ports";

export interface HealthGateSpec {
  readonly endpoints: readonly RegionEndpoint[];
  /** Consecutive healthy observations each region needs. */
  readonly consecutive: number;
  readonly timeoutMs: number;
  /** Time between observations (the Route 53 check interval). */
  readonly intervalMs: number;
}

export interface HealthGateDeps {
  readonly health: HealthSource;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Called for each region's observation. */
  readonly onObservation?: (region: string, healthy: boolean, streak: number, detail: string) => void;
}

export interface HealthGateResult {
  readonly ok: boolean;
  readonly healthy: readonly string[];
  /** Regions that did not reach their streak, with the last thing seen. */
  readonly failing: readonly { readonly region: string; readonly detail: string }[];
  readonly rounds: number;
  readonly elapsedMs: number;
}

/**
 * Waits until every region has `consecutive` healthy observations in a row, or the timeout. All
 * regions are observed together each round; a region that passed is no longer probed. The whole
 * round is bounded by the gate's deadline too, so even a health source that hangs cannot hold the
 * gate past its timeout.
 */
export async function runHealthGate(spec: HealthGateSpec, deps: HealthGateDeps): Promise<HealthGateResult> {
  const { clock, signal } = deps;
  const start = clock.now();
  const deadline = start + spec.timeoutMs;
  const streak = new Map(spec.endpoints.map((e) => [e.region, 0]));
  const last = new Map(spec.endpoints.map((e) => [e.region, "not observed yet"]));
  const pending = new Map(spec.endpoints.map((e) => [e.region, e]));
  let rounds = 0;
  while (pending.size > 0 && clock.now() < deadline) {
    signal?.throwIfAborted();
    const samples = await observeBefore(deps, [...pending.values()], deadline - clock.now());
    rounds++;
    for (const region of [...pending.keys()]) {
      const sample = samples.find((s) => s.region === region);
      const healthy = sample !== undefined && sampleHealthy(sample);
      const n = healthy ? (streak.get(region) ?? 0) + 1 : 0;
      const detail = sample?.detail ?? "no answer within the gate's timeout";
      streak.set(region, n);
      last.set(region, detail);
      deps.onObservation?.(region, healthy, n, detail);
      if (n >= spec.consecutive) pending.delete(region);
    }
    const wait = Math.min(spec.intervalMs, deadline - clock.now());
    if (pending.size > 0 && wait > 0) {
      await clock.sleep(wait, signal);
    }
  }
  return {
    ok: pending.size === 0,
    healthy: spec.endpoints.map((e) => e.region).filter((r) => !pending.has(r)),
    failing: [...pending.keys()].map((region) => ({ region, detail: last.get(region) ?? "" })),
    rounds,
    elapsedMs: clock.now() - start,
  };
}

/**
 * Why a round's loser is cancelled. Made once: aborting without a reason builds a DOMException and
 * captures its stack, and a gate or guard ends a round every check interval. Nothing reads it, as
 * the round's outcome is settled by then.
 */
const ROUND_OVER: Error = Object.assign(new Error("the round of observations is over"), {
  name: "AbortError",
});

/** One round of observations, abandoned (no samples) if it has not answered within `withinMs`. */
export async function observeBefore(
  deps: HealthGateDeps,
  endpoints: readonly RegionEndpoint[],
  withinMs: number,
): Promise<HealthSample[]> {
  // The caller's signal is relayed to the round by hand: `AbortSignal.any` would make a second
  // signal each round and leave a weak reference to it with the caller's, which lives for the run.
  const round = new AbortController();
  const parent = deps.signal;
  const relay = (): void => round.abort(parent?.reason);
  if (parent?.aborted === true) relay();
  else parent?.addEventListener("abort", relay, { once: true });
  const signal = round.signal;
  try {
    return await Promise.race([
      deps.health.observe(endpoints, signal).catch((err: unknown): HealthSample[] => {
        if (deps.signal?.aborted === true) throw err;
        const detail = `health source failed: ${err instanceof Error ? err.message : String(err)}`;
        const at = deps.clock.now();
        return endpoints.map((e) => ({ region: e.region, at, checkerFraction: null, probeOk: null, detail }));
      }),
      deps.clock.sleep(Math.max(withinMs, 0), signal).then(
        (): HealthSample[] => [],
        (err: unknown): HealthSample[] => {
          if (deps.signal?.aborted === true) throw err;
          return [];
        },
      ),
    ]);
  } finally {
    parent?.removeEventListener("abort", relay);
    round.abort(ROUND_OVER);
  }
}
