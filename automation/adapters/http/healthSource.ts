import type { HealthSample, HealthSource, RegionEndpoint } from "../../ports";
import { DEFAULT_PROBE_TIMEOUT_MS, type Probe, type ProbeResult } from "./httpProbe";

/**
 * Route 53's view of each region: the fraction of its checkers that see the region healthy, or
 * null when unknown. Supplied by the Route 53 adapter; absent, samples carry probes only.
 */
export type CheckerFractions = (
  regions: readonly RegionEndpoint[],
  signal?: AbortSignal,
) => Promise<ReadonlyMap<string, number | null>>;

export interface HealthSourceOptions {
  readonly probe: Probe;
  readonly checkers?: CheckerFractions;
  /**
   * Milliseconds each region's observation may take, on its own timer. Bounds a probe that ignores
   * its signal, and the checker lookup. Default 6000.
   */
  readonly timeoutMs?: number;
  /** Sample timestamps. Default Date.now. */
  readonly now?: () => number;
  /** Called with each region's sample as soon as it is ready, before the slowest region is. */
  readonly onSample?: (sample: HealthSample) => void;
}

class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = "DeadlineError";
  }
}

/**
 * The combinator every HealthSource uses: all regions at once, each on its own deadline, settled
 * independently. A hung region costs its own timeout and never delays the verdict on the others.
 */
export function createHealthSource(options: HealthSourceOptions): HealthSource {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  return {
    async observe(regions, signal) {
      signal?.throwIfAborted();
      const at = now();
      const checkers = options.checkers;
      const checkerView =
        checkers === undefined || regions.length === 0
          ? Promise.resolve(new Map<string, number | null>())
          : withDeadline((s) => checkers(regions, s), timeoutMs, signal);
      const settled = await Promise.allSettled(
        regions.map(async (endpoint) => {
          const [probe, fractions] = await Promise.allSettled([
            withDeadline((s) => options.probe.check(endpoint.url, s), timeoutMs, signal),
            checkerView,
          ]);
          const sample = toSample(endpoint.region, at, probe, fractions);
          options.onSample?.(sample);
          return sample;
        }),
      );
      signal?.throwIfAborted();
      return settled.map((s, i) =>
        s.status === "fulfilled"
          ? s.value
          : { region: regions[i].region, at, checkerFraction: null, probeOk: null, detail: String(s.reason) },
      );
    },
  };
}

function toSample(
  region: string,
  at: number,
  probe: PromiseSettledResult<ProbeResult>,
  checkers: PromiseSettledResult<ReadonlyMap<string, number | null>>,
): HealthSample {
  let probeOk: boolean | null;
  let probeDetail: string;
  if (probe.status === "fulfilled") {
    probeOk = probe.value.ok;
    probeDetail = probe.value.detail;
  } else if (probe.reason instanceof DeadlineError) {
    // A region that does not answer in time is down, as Route 53 would judge it.
    probeOk = false;
    probeDetail = probe.reason.message;
  } else {
    // The probe itself broke: that says nothing about the region, so it abstains.
    probeOk = null;
    probeDetail = `could not run (${errorText(probe.reason)})`;
  }
  let checkerFraction: number | null = null;
  let checkerDetail = "";
  if (checkers.status === "fulfilled") {
    checkerFraction = checkers.value.get(region) ?? null;
    if (checkerFraction !== null) checkerDetail = `; checkers: ${Math.round(checkerFraction * 100)}% healthy`;
  } else {
    checkerDetail = `; checkers: unavailable (${errorText(checkers.reason)})`;
  }
  return { region, at, checkerFraction, probeOk, detail: `probe: ${probeDetail}${checkerDetail}` };
}

/**
 * Runs `fn` with a signal that fires at the deadline or when the caller aborts, and settles at
 * the deadline even if `fn` ignores its signal.
 */
async function withDeadline<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  outer?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineError(ms);
      controller.abort(err);
      reject(err);
    }, ms);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([fn(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
