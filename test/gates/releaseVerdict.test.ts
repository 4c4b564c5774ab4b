import { describe, expect, it } from "vitest";
import { judgeRelease, type ReleaseSamples } from "../../automation/gates/releaseVerdict";

const criteria = { maxErrorRate: 0.2, maxLatencyMs: 2000, minSamples: 3, consecutiveFailureLimit: 2 };
const n = (k: number, v: number, wobble = 0): number[] =>
  Array.from({ length: k }, (_, i) => v + (i % 3) * wobble);
const s = (errorRate: number[], latencyMs: number[]): ReleaseSamples => ({ errorRate, latencyMs });

describe("judgeRelease: error rate and p95 latency together", () => {
  const goodBaseline = s(n(10, 0.001, 0.001), n(10, 40, 2));
  const cases: {
    name: string;
    canary: ReleaseSamples;
    baseline?: ReleaseSamples;
    complete: boolean;
    decision: string;
    reason: RegExp;
  }[] = [
    {
      name: "a good build passes on both metrics",
      canary: s(n(5, 0.001, 0.001), n(5, 41, 2)),
      complete: true,
      decision: "pass",
      reason: /error rate .*; p95 latency 4\d ms/,
    },
    {
      name: "a 50 % error build fails on its error rate",
      canary: s(n(3, 0.5), n(3, 40)),
      complete: false,
      decision: "fail",
      reason: /error rate limit/,
    },
    {
      name: "a 5.8 s build with no errors fails on latency before the bake ends",
      canary: s(n(2, 0.001), n(2, 5800)),
      complete: false,
      decision: "fail",
      reason: /2 consecutive samples at or above the 2000 ms p95 latency limit/,
    },
    {
      name: "a mean latency over the limit fails with minSamples even without a streak",
      canary: s(n(3, 0.001), [1500, 3500, 1900]),
      complete: false,
      decision: "fail",
      reason: /p95 latency 2300 ms over 3 samples/,
    },
    {
      name: "a build significantly slower than the baseline fails at the end though under the limit",
      canary: s(n(8, 0.001, 0.001), n(8, 300, 20)),
      complete: true,
      decision: "fail",
      reason: /canary p95 latency .* significantly above the baseline's 42 ms \(Mann-Whitney/,
    },
    {
      name: "a build slower by less than 20 % passes though the difference is significant",
      canary: s(n(8, 0.001, 0.001), n(8, 45, 2)),
      complete: true,
      decision: "pass",
      reason: /no significant difference|p95 latency 4\d ms/,
    },
    {
      name: "errors decide first: a failing error rate is reported even when latency fails too",
      canary: s(n(2, 0.9), n(2, 5800)),
      complete: false,
      decision: "fail",
      reason: /error rate limit/,
    },
    {
      name: "no baseline: the absolute limits alone (a slow build still fails)",
      canary: s(n(3, 0.001), n(3, 2500)),
      baseline: s([], []),
      complete: false,
      decision: "fail",
      reason: /p95 latency limit/,
    },
    {
      name: "no baseline: a good build passes on the absolute limits",
      canary: s(n(3, 0.001), n(3, 40)),
      baseline: s([], []),
      complete: true,
      decision: "pass",
      reason: /p95 latency 40 ms over 3 samples/,
    },
    {
      name: "missing canary latency while the baseline has it is inconclusive",
      canary: s(n(3, 0.001), []),
      complete: true,
      decision: "inconclusive",
      reason: /p95 latency samples needed/,
    },
    {
      name: "no latency published anywhere: judged on errors alone, and said so",
      canary: s(n(3, 0.001), []),
      baseline: s(n(6, 0.001), []),
      complete: true,
      decision: "pass",
      reason: /no latency metric published/,
    },
    {
      name: "before the bake ends with nothing wrong, it continues",
      canary: s(n(3, 0.001), n(3, 40)),
      complete: false,
      decision: "continue",
      reason: /sample/,
    },
  ];

  it.each(cases)("$name", ({ canary, baseline, complete, decision, reason }) => {
    const v = judgeRelease(canary, baseline ?? goodBaseline, criteria, complete);
    expect(v.decision).toBe(decision);
    expect(v.reason).toMatch(reason);
  });

  it("a gate broken on purpose (limits out of reach, no baseline) lets the 5.8 s build pass", () => {
    const broken = { ...criteria, maxLatencyMs: Number.MAX_SAFE_INTEGER };
    const v = judgeRelease(s(n(5, 0.001), n(5, 5800)), s([], []), broken, true);
    expect(v.decision).toBe("pass");
    // The same build against the real limit fails: the limit is what stops it.
    expect(judgeRelease(s(n(5, 0.001), n(5, 5800)), s([], []), criteria, true).decision).toBe("fail");
  });
});
