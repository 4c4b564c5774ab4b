import type { ErrorRateQuery, MetricPoint, MetricsSource } from "../ports";
import type { SimCloud } from "./simCloud";

/** A normal draw from two uniform draws (Box-Muller), for binomial noise. */
function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
}

/**
 * CloudWatch error rates. Each whole period inside the window yields one point: the error rate of
 * the requests that colour (or the whole region) served then, with the noise of a finite number of
 * requests. The metrics API of a region that is down, or with an injected `cloudwatch` error, fails.
 */
export class SimMetricsSource implements MetricsSource {
  constructor(
    private readonly cloud: SimCloud,
    private readonly requestsPerMinute: number,
  ) {}

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
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
    const points: MetricPoint[] = [];
    for (let t = startMs; t + periodMs <= endMs; t += periodMs) {
      const mid = t + periodMs / 2;
      if (!this.cloud.upAt(region, mid)) continue;
      const shares = this.cloud
        .trafficShares(region, mid)
        .filter((s) => color === undefined || s.color === color);
      let share = 0;
      let rate = 0;
      for (const s of shares) {
        const b = this.cloud.colorBehaviour(region, s.color, mid);
        if (b === null || s.share === 0) continue;
        share += s.share;
        rate += s.share * b.errorRate;
      }
      if (share === 0) continue;
      rate /= share;
      const requests = Math.max(1, Math.round((this.requestsPerMinute * periodSeconds * share) / 60));
      const noise = gaussian(
        this.cloud.draw("m1", region, color ?? "all", t),
        this.cloud.draw("m2", region, color ?? "all", t),
      );
      const value = Math.min(1, Math.max(0, rate + noise * Math.sqrt((rate * (1 - rate)) / requests)));
      points.push({ at: t, value: Math.round(value * 1e6) / 1e6 });
    }
    return points;
  }
}
