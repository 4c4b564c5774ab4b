import type { ErrorRateQuery, MetricPoint, MetricQuery, MetricsSource } from "../ports";
import type { SimCloud, VersionBehaviour } from "./simCloud";

/** A normal draw from two uniform draws (Box-Muller), for binomial noise. */
function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
}

/** Relative spread of one period's p95 latency around the build's figure. */
const LATENCY_NOISE = 0.1;

interface PeriodTraffic {
  readonly t: number;
  /** Share of the region's traffic the query covers, and what each part of it meets. */
  readonly parts: readonly { readonly share: number; readonly behaviour: VersionBehaviour }[];
  readonly share: number;
}

/**
 * CloudWatch error rates and latencies. Each whole period inside the window yields one point for
 * the requests that colour (or the whole region) served then: the error rate with the noise of a
 * finite number of requests, the p95 latency with a relative noise. The metrics API of a region
 * that is down, or with an injected `cloudwatch` error, fails.
 */
export class SimMetricsSource implements MetricsSource {
  constructor(
    private readonly cloud: SimCloud,
    private readonly requestsPerMinute: number,
  ) {}

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
    const { region, color, periodSeconds } = query;
    return (await this.periods(query)).map(({ t, parts, share }) => {
      const rate = parts.reduce((sum, p) => sum + p.share * p.behaviour.errorRate, 0) / share;
      const requests = Math.max(1, Math.round((this.requestsPerMinute * periodSeconds * share) / 60));
      const noise = gaussian(
        this.cloud.draw("m1", region, color ?? "all", t),
        this.cloud.draw("m2", region, color ?? "all", t),
      );
      const value = Math.min(1, Math.max(0, rate + noise * Math.sqrt((rate * (1 - rate)) / requests)));
      return { at: t, value: Math.round(value * 1e6) / 1e6 };
    });
  }

  /**
   * The 95th percentile of a mix is the latency of the part in which the slowest 5 % of the
   * requests fall: a colour slower than the rest with more than 5 % of the traffic sets it.
   */
  async latencyP95(query: MetricQuery): Promise<MetricPoint[]> {
    const { region, color } = query;
    return (await this.periods(query)).map(({ t, parts, share }) => {
      const slowestFirst = [...parts].sort((a, b) => b.behaviour.latencyMs - a.behaviour.latencyMs);
      let tail = 0;
      let p95 = slowestFirst[slowestFirst.length - 1].behaviour.latencyMs;
      for (const p of slowestFirst) {
        tail += p.share / share;
        if (tail > 0.05) {
          p95 = p.behaviour.latencyMs;
          break;
        }
      }
      const noise = gaussian(
        this.cloud.draw("l1", region, color ?? "all", t),
        this.cloud.draw("l2", region, color ?? "all", t),
      );
      return { at: t, value: Math.round(Math.max(0, p95 * (1 + LATENCY_NOISE * noise)) * 100) / 100 };
    });
  }

  private async periods(query: MetricQuery): Promise<PeriodTraffic[]> {
    const { region, color, startMs, periodSeconds } = query;
    const clock = this.cloud.clock;
    await clock.sleep(200);
    this.cloud.apiCall("cloudwatch", region, "GetMetricData");
    if (!this.cloud.controlPlaneUp(region)) {
      throw new Error(`monitoring.${region}.amazonaws.com did not answer GetMetricData`);
    }
    if (this.cloud.takeApiError("cloudwatch", region)) {
      throw new Error(`GetMetricData in ${region} failed (injected)`);
    }
    const periodMs = periodSeconds * 1000;
    const endMs = Math.min(query.endMs, clock.now());
    const out: PeriodTraffic[] = [];
    for (let t = startMs; t + periodMs <= endMs; t += periodMs) {
      const mid = t + periodMs / 2;
      if (!this.cloud.upAt(region, mid)) continue;
      const parts: { share: number; behaviour: VersionBehaviour }[] = [];
      for (const s of this.cloud.trafficShares(region, mid)) {
        if (color !== undefined && s.color !== color) continue;
        const behaviour = this.cloud.colorBehaviour(region, s.color, mid);
        if (behaviour === null || s.share === 0) continue;
        parts.push({ share: s.share, behaviour });
      }
      const share = parts.reduce((sum, p) => sum + p.share, 0);
      if (share > 0) out.push({ t, parts, share });
    }
    return out;
  }
}
