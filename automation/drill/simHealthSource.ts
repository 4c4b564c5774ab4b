import { setMaxListeners } from "node:events";
import type { HealthSample, HealthSource, RegionEndpoint } from "../ports";
import type { ProbeConditions } from "./route53Checkers";
import type { SimCloud } from "./simCloud";

/** Network time between the controller and a region's endpoint. */
const PROBE_NETWORK_MS = 40;
/** GetHealthCheckStatus answers in about this long. */
const ROUTE53_API_MS = 150;

/** One probe in flight. */
interface Probe {
  readonly region: string;
  readonly at: number;
  /** The probe's number for its region: its draw's key. */
  readonly n: number;
  readonly route53: number | null;
  readonly cond: ProbeConditions;
  readonly latency: number;
  readonly limit: number;
  /** The probe has a client timeout. */
  readonly bounded: boolean;
  readonly timedOut: boolean;
  readonly waitMs: number;
}

export interface HealthSourceOptions {
  /**
   * A serial health checker: regions one after another, and no client timeout, so an unreachable
   * region holds the whole round for `unboundedProbeSeconds`. Only the benchmark's baseline sets it.
   */
  readonly sequential?: boolean;
  readonly unboundedProbeSeconds?: number;
  /**
   * The region the probes leave from (a watcher replica's); a partition between it and a region
   * times its probes out there. Absent: a watcher no partition reaches.
   */
  readonly vantage?: string;
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
    /**
     * Sees every sample the controller gets (the checker tracks what the controller could know),
     * with the replica it left from and when its answer arrived.
     */
    private readonly onSample: (
      sample: HealthSample,
      vantage: string | undefined,
      answeredAtMs: number,
    ) => void = () => {},
  ) {}

  async observe(regions: readonly RegionEndpoint[], outer?: AbortSignal): Promise<HealthSample[]> {
    // One listener on the caller's signal, however many regions wait on it (one per distinct wait).
    const local = new AbortController();
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
      for (const e of regions) {
        const probe = this.startProbe(e.region, null);
        await this.cloud.clock.sleep(probe.waitMs, signal);
        out.push(this.finishProbe(probe));
      }
      return out;
    }
    // Every region at once. Probes that answer after the same wait share one timer: they would
    // fire one after another at the same instant anyway, in the order they were sent.
    const probes = regions.map((e) => this.startProbe(e.region, this.cloud.timeoutMs));
    const waits = new Map<number, Promise<void>>();
    if (new Set(probes.map((p) => p.waitMs)).size > 10) setMaxListeners(0, signal);
    for (const p of probes) {
      if (!waits.has(p.waitMs)) waits.set(p.waitMs, this.cloud.clock.sleep(p.waitMs, signal));
    }
    return Promise.all(
      probes.map(async (p) => {
        await waits.get(p.waitMs);
        return this.finishProbe(p);
      }),
    );
  }

  /** The same probes, sent from the watcher replica in `region`. */
  from(region: string): SimHealthSource {
    return new SimHealthSource(this.cloud, { ...this.options, vantage: region }, this.onSample);
  }

  /** Sends one probe: what it will meet is decided now, its answer after `waitMs`. */
  private startProbe(region: string, timeoutMs: number | null): Probe {
    const at = this.cloud.clock.now();
    const n = (this.calls.get(region) ?? 0) + 1;
    this.calls.set(region, n);
    const route53 = this.checkerFraction(region);
    const vantage = this.options.vantage;
    const cond =
      vantage !== undefined && !this.cloud.placement.reaches(vantage, region)
        ? { reachable: false, errorRate: 1, latencyMs: Number.POSITIVE_INFINITY }
        : this.cloud.probeConditions(region, at);
    const latency = cond.reachable ? cond.latencyMs + PROBE_NETWORK_MS : Number.POSITIVE_INFINITY;
    const limit = timeoutMs ?? (this.options.unboundedProbeSeconds ?? 10) * 1000;
    const timedOut = latency > limit;
    return {
      region,
      at,
      n,
      route53,
      cond,
      latency,
      limit,
      bounded: timeoutMs !== null,
      timedOut,
      waitMs: timedOut ? limit : Math.max(latency, ROUTE53_API_MS),
    };
  }

  private finishProbe(p: Probe): HealthSample {
    let probeOk: boolean;
    let detail: string;
    if (p.timedOut) {
      probeOk = false;
      detail = p.cond.reachable
        ? `probe timed out after ${p.limit / 1000} s`
        : !p.bounded
          ? `probe hung for ${p.limit / 1000} s (no client timeout): connection not answered`
          : `probe timed out after ${p.limit / 1000} s: connection not answered`;
    } else {
      const vantage = this.options.vantage;
      const draw =
        vantage === undefined
          ? this.cloud.draw("probe", p.region, p.at, p.n)
          : this.cloud.draw("probe", vantage, p.region, p.at, p.n);
      probeOk = draw >= p.cond.errorRate;
      detail = probeOk
        ? `HTTP 200 in ${Math.round(p.latency)} ms`
        : `HTTP 503 in ${Math.round(p.latency)} ms`;
    }
    const route53 = p.route53;
    const sample: HealthSample = {
      region: p.region,
      at: p.at,
      checkerFraction: route53,
      probeOk,
      detail: `${detail}; route53 ${route53 === null ? "unavailable" : `${Math.round(route53 * 100)} % of checkers healthy`}`,
    };
    this.onSample(sample, this.options.vantage, this.cloud.clock.now());
    return sample;
  }

  private checkerFraction(region: string): number | null {
    if (!this.cloud.placement.route53ControlPlaneUp()) return null;
    if (this.cloud.takeApiError("route53", "us-east-1")) return null;
    return this.cloud.route53Fraction(region);
  }
}
