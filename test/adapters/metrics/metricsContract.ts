import { describe, expect, it } from "vitest";
import type { MetricPoint, MetricsSource } from "../../../automation/ports";

/**
 * What every MetricsSource must do, real adapter or fake. Each fixture seeds the same traffic:
 * `region`'s blue colour serves `errorRate` errors at `latencyMs` p95 for every whole period of
 * `window`; green serves nothing. Sources with noise (the drill's) are compared with a tolerance.
 */
export interface MetricsFixture {
  readonly source: MetricsSource;
  readonly region: string;
  readonly window: { readonly startMs: number; readonly endMs: number; readonly periodSeconds: number };
  readonly errorRate: number;
  readonly latencyMs: number;
  /** Absolute tolerance on an error rate and relative tolerance on a latency; 0 for exact sources. */
  readonly tolerance: { readonly errorRate: number; readonly latency: number };
  /** Drives the source's clock until the call returns (virtual-clock sources); identity otherwise. */
  readonly settle: <T>(p: Promise<T>) => Promise<T>;
}

export function metricsContract(name: string, setup: () => Promise<MetricsFixture>): void {
  describe(`MetricsSource contract: ${name}`, () => {
    const inWindow = (f: MetricsFixture, points: readonly MetricPoint[]): void => {
      expect(points.length).toBeGreaterThanOrEqual(3);
      for (const p of points) {
        expect(p.at).toBeGreaterThanOrEqual(f.window.startMs);
        expect(p.at).toBeLessThan(f.window.endMs);
      }
      expect([...points].sort((a, b) => a.at - b.at)).toEqual(points);
    };

    it("gives one colour's error rate per period, in time order", async () => {
      const f = await setup();
      const points = await f.settle(f.source.errorRate({ region: f.region, color: "blue", ...f.window }));
      inWindow(f, points);
      for (const p of points)
        expect(Math.abs(p.value - f.errorRate)).toBeLessThanOrEqual(f.tolerance.errorRate);
    });

    it("gives one colour's p95 latency in milliseconds per period, in time order", async () => {
      const f = await setup();
      const points = await f.settle(f.source.latencyP95({ region: f.region, color: "blue", ...f.window }));
      inWindow(f, points);
      for (const p of points) {
        expect(Math.abs(p.value - f.latencyMs)).toBeLessThanOrEqual(f.tolerance.latency * f.latencyMs);
      }
    });

    it("region-wide, a colour without traffic changes neither figure", async () => {
      const f = await setup();
      const rates = await f.settle(f.source.errorRate({ region: f.region, ...f.window }));
      const latencies = await f.settle(f.source.latencyP95({ region: f.region, ...f.window }));
      inWindow(f, rates);
      inWindow(f, latencies);
      for (const p of rates)
        expect(Math.abs(p.value - f.errorRate)).toBeLessThanOrEqual(f.tolerance.errorRate);
      for (const p of latencies) {
        expect(Math.abs(p.value - f.latencyMs)).toBeLessThanOrEqual(f.tolerance.latency * f.latencyMs);
      }
    });

    it("a colour without traffic yields no points, for either metric", async () => {
      const f = await setup();
      expect(await f.settle(f.source.errorRate({ region: f.region, color: "green", ...f.window }))).toEqual(
        [],
      );
      expect(await f.settle(f.source.latencyP95({ region: f.region, color: "green", ...f.window }))).toEqual(
        [],
      );
    });
  });
}
