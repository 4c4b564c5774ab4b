import { setMaxListeners } from "node:events";
import type { HealthSample, HealthSource, RegionEndpoint } from "../ports";
import type { SimCloud } from "./simCloud";

/** Network time between the controller and a region's endpoint. */
const PROBE_NETWORK_MS = 40;
/** GetHealthCheckStatus answers in about this long. */
const ROUTE53_API_MS = 150;

export interface HealthSourceOptions {
  /**
   * A serial health checker: regions one after another, and no client timeout, so an unreachable
   * region holds the whole round for `unboundedProbeSeconds`. Only the benchmark's baseline sets it.
   */
  readonly sequential?: boolean;
  readonly unboundedProbeSeconds?: number;
}

/**
 * The controller's view of region health: Route 53's checker fraction (GetHealthCheckStatus, in
 * us-east-1) and a direct probe with the health check's timeout, every region at once.
 */
export class SimHealthSource implements HealthSource {
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly cloud: SimCloud,
    private readonly options: HealthSourceOptions = {},
    /** Sees every sample the controller gets (the checker tracks what the controller could know). */
    private readonly onSample: (sample: HealthSample) => void = () => {},
  ) {}

  async observe(regions: readonly RegionEndpoint[], outer?: AbortSignal): Promise<HealthSample[]> {
    // One listener on the caller's signal, however many regions wait on it.
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const forward = (): void => local.abort(outer?.reason);
    if (outer?.aborted === true) forward();
    outer?.addEventListener("abort", forward, { once: true });
    try {
      return await this.observeAll(regions, local.signal);
    } finally {
      outer?.removeEventListener("abort", forward);
    }
  }

  private async observeAll(regions: readonly RegionEndpoint[], signal: AbortSignal): Promise<HealthSample[]> {
    if (this.options.sequential === true) {
      const out: HealthSample[] = [];
      for (const e of regions) out.push(await this.observeOne(e.region, signal, null));
      return out;
    }
    return Promise.all(regions.map((e) => this.observeOne(e.region, signal, this.cloud.timeoutMs)));
  }

  private async observeOne(
    region: string,
    signal: AbortSignal | undefined,
    timeoutMs: number | null,
  ): Promise<HealthSample> {
    const clock = this.cloud.clock;
    const at = clock.now();
    const n = (this.calls.get(region) ?? 0) + 1;
    this.calls.set(region, n);
    const route53 = this.checkerFraction(region);
    const cond = this.cloud.probeConditions(region, at);
    const latency = cond.reachable ? cond.latencyMs + PROBE_NETWORK_MS : Number.POSITIVE_INFINITY;
    const limit = timeoutMs ?? (this.options.unboundedProbeSeconds ?? 10) * 1000;
    let probeOk: boolean;
    let detail: string;
    if (latency > limit) {
      await clock.sleep(limit, signal);
      probeOk = false;
      detail = cond.reachable
        ? `probe timed out after ${limit / 1000} s`
        : timeoutMs === null
          ? `probe hung for ${limit / 1000} s (no client timeout): connection not answered`
          : `probe timed out after ${limit / 1000} s: connection not answered`;
    } else {
      await clock.sleep(Math.max(latency, ROUTE53_API_MS), signal);
      probeOk = this.cloud.draw("probe", region, at, n) >= cond.errorRate;
      detail = probeOk ? `HTTP 200 in ${Math.round(latency)} ms` : `HTTP 503 in ${Math.round(latency)} ms`;
    }
    const sample: HealthSample = {
      region,
      at,
      checkerFraction: route53,
      probeOk,
      detail: `${detail}; route53 ${route53 === null ? "unavailable" : `${Math.round(route53 * 100)} % of checkers healthy`}`,
    };
    this.onSample(sample);
    return sample;
  }

  private checkerFraction(region: string): number | null {
    if (this.cloud.takeApiError("route53", "us-east-1")) return null;
    return this.cloud.route53Fraction(region);
  }
}
