import { describe, expect, it } from "vitest";
import { type AnalysisSpec, runCanaryAnalysis } from "../../automation/gates/canaryAnalysis";
import {
  EffectLog,
  type ErrorRatePolicy,
  type LatencyPolicy,
  MemoryMetricsSource,
  VirtualClock,
} from "../support/memoryPorts";

const spec: AnalysisSpec = {
  canaryRegion: "us-west-2",
  canaryColor: "green",
  baselineRegions: ["us-east-1", "eu-west-1"],
  bakeSeconds: 300,
  intervalSeconds: 60,
  maxErrorRate: 0.2,
  maxLatencyMs: 2000,
  minSamples: 3,
  consecutiveFailureLimit: 2,
};

function setup(policy: ErrorRatePolicy, latency?: LatencyPolicy) {
  const clock = new VirtualClock(0);
  const log = new EffectLog(clock);
  return { clock, log, metrics: new MemoryMetricsSource(log, policy, latency) };
}

/** A deterministic wobble, so samples are not all equal. */
const wobble = (q: { startMs: number }, base: number, amp: number): number =>
  base + amp * Math.sin(q.startMs / 7_000);

describe("canary analysis", () => {
  it("passes a healthy canary after the whole bake, sampling every interval", async () => {
    const { clock, log, metrics } = setup((q) => wobble(q, 0.01, 0.005));
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("pass");
    expect(clock.now()).toBe(300_000);
    expect(v.canarySamples).toBe(5);
    expect(v.baselineSamples).toBe(10);
    for (const action of ["errorRate", "latencyP95"]) {
      const canaryQueries = log.of("metrics", action).filter((e) => e.detail.region === "us-west-2");
      expect(canaryQueries).toHaveLength(5);
      expect(canaryQueries.every((e) => e.detail.color === "green")).toBe(true);
      expect(log.of("metrics", action).filter((e) => e.detail.color === undefined)).toHaveLength(10);
    }
    expect(v.latency?.decision).toBe("pass");
  });

  it("fails a bad canary as soon as the consecutive-failure limit is reached", async () => {
    const { clock, metrics } = setup((q) => (q.region === "us-west-2" ? 0.3 : 0.01));
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("fail");
    expect(clock.now()).toBe(120_000);
  });

  it("is inconclusive when the canary has no data", async () => {
    const { metrics, clock } = setup((q) => (q.region === "us-west-2" ? null : 0.01));
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("inconclusive");
  });

  it("counts failed queries as missing samples, not failures", async () => {
    let n = 0;
    const { metrics, clock } = setup((q) =>
      q.region === "us-west-2" && n++ % 2 === 0 ? new Error("throttled") : 0.01,
    );
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("inconclusive");
    expect(v.canarySamples).toBe(2);
    expect(v.reason).toMatch(/3 metric queries failed, last: us-west-2: throttled/);
  });

  it("with a long bake, the Mann-Whitney comparison fails a canary worse than its baseline", async () => {
    const { metrics, clock } = setup((q) =>
      q.region === "us-west-2" ? wobble(q, 0.09, 0.02) : wobble(q, 0.01, 0.01),
    );
    const v = await runCanaryAnalysis({ ...spec, bakeSeconds: 600, intervalSeconds: 60 }, { metrics, clock });
    expect(v.canarySamples).toBe(10);
    expect(v.decision).toBe("fail");
    expect(v.mannWhitney?.p).toBeLessThan(0.05);
  });

  it("fails a canary whose errors are fine but whose p95 latency is over the limit", async () => {
    const { clock, metrics } = setup(
      () => 0.001,
      (q) => (q.region === "us-west-2" ? 5800 : 40),
    );
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("fail");
    expect(v.reason).toMatch(/p95 latency limit/);
    expect(clock.now()).toBe(120_000);
  });

  it("with a long bake, Mann-Whitney fails a canary significantly slower than its baseline though under the limit", async () => {
    const { metrics, clock } = setup(
      () => 0.001,
      (q) => (q.region === "us-west-2" ? wobble(q, 400, 40) : wobble(q, 100, 10)),
    );
    const v = await runCanaryAnalysis({ ...spec, bakeSeconds: 600 }, { metrics, clock });
    expect(v.decision).toBe("fail");
    expect(v.reason).toMatch(/p95 latency .* significantly above/);
    expect(v.latency?.mannWhitney?.p).toBeLessThan(0.05);
  });

  it("judges on errors alone, and says so, when no latency is published anywhere", async () => {
    const { metrics, clock } = setup(
      () => 0.001,
      () => null,
    );
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("pass");
    expect(v.latency).toBeNull();
    expect(v.reason).toMatch(/no latency metric published/);
  });

  it("is inconclusive when the baseline publishes latency but the canary does not", async () => {
    const { metrics, clock } = setup(
      () => 0.001,
      (q) => (q.region === "us-west-2" ? null : 40),
    );
    const v = await runCanaryAnalysis(spec, { metrics, clock });
    expect(v.decision).toBe("inconclusive");
    expect(v.reason).toMatch(/p95 latency samples/);
  });
});
