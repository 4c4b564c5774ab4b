import { sampleHealthy } from "../health/sampleVerdict";
import type { Clock, HealthSource, RegionEndpoint } from "../ports";
import { observeBefore } from "./healthGate";

export interface SafetyGateSpec {
  /** Every region serving traffic: all are observed together, every round. */
  readonly endpoints: readonly RegionEndpoint[];
  /** Consecutive failed rounds that confirm a region is failing. */
  readonly failureThreshold: number;
  readonly timeoutMs: number;
  /** Time between rounds (the Route 53 check interval). */
  readonly intervalMs: number;
  /** A confirmed failing region that ends the hold at once (the writer, a region already moved). */
  readonly stopsAt?: (region: string) => boolean;
}

export interface SafetyGateDeps {
  readonly health: HealthSource;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onRound?: (failing: readonly { region: string; detail: string; rounds: number }[]) => void;
}

export type SafetyGateResult =
  | { readonly status: "healthy"; readonly rounds: number; readonly elapsedMs: number }
  /** A region `stopsAt` names failed `failureThreshold` rounds in a row. */
  | {
      readonly status: "stopped";
      readonly region: string;
      readonly detail: string;
      readonly rounds: number;
      readonly elapsedMs: number;
    }
  | {
      readonly status: "timeout";
      readonly failing: readonly { readonly region: string; readonly detail: string }[];
      readonly rounds: number;
      readonly elapsedMs: number;
    };

/**
 * Holds until one round of observations sees every region healthy: then nothing is failing at the
 * moment the caller moves on. Unlike a health gate, a region that passed is observed again each
 * round, since what matters is that all are healthy at once, just before the next move.
 */
export async function runSafetyGate(spec: SafetyGateSpec, deps: SafetyGateDeps): Promise<SafetyGateResult> {
  const { clock, signal } = deps;
  const start = clock.now();
  const deadline = start + spec.timeoutMs;
  const failedRounds = new Map<string, number>();
  let last: { region: string; detail: string }[] = [];
  let rounds = 0;
  do {
    signal?.throwIfAborted();
    const samples = await observeBefore(deps, spec.endpoints, Math.max(deadline - clock.now(), 1));
    rounds++;
    const failing: { region: string; detail: string; rounds: number }[] = [];
    for (const e of spec.endpoints) {
      const sample = samples.find((s) => s.region === e.region);
      if (sample !== undefined && sampleHealthy(sample)) {
        failedRounds.set(e.region, 0);
        continue;
      }
      const n = (failedRounds.get(e.region) ?? 0) + 1;
      failedRounds.set(e.region, n);
      failing.push({
        region: e.region,
        detail: sample?.detail ?? "no answer within the gate's timeout",
        rounds: n,
      });
    }
    deps.onRound?.(failing);
    if (failing.length === 0) return { status: "healthy", rounds, elapsedMs: clock.now() - start };
    const stop = failing.find(
      (f) => f.rounds >= spec.failureThreshold && (spec.stopsAt?.(f.region) ?? false),
    );
    if (stop !== undefined) {
      return {
        status: "stopped",
        region: stop.region,
        detail: stop.detail,
        rounds,
        elapsedMs: clock.now() - start,
      };
    }
    last = failing;
    const wait = Math.min(spec.intervalMs, deadline - clock.now());
    if (wait > 0) await clock.sleep(wait, signal);
  } while (clock.now() < deadline);
  return {
    status: "timeout",
    failing: last.map(({ region, detail }) => ({ region, detail })),
    rounds,
    elapsedMs: clock.now() - start,
  };
}
