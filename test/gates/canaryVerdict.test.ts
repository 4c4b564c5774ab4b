import { describe, expect, it } from "vitest";
import { MANN_WHITNEY_MIN_SAMPLES, judgeCanary } from "../../automation/gates/canaryVerdict";

const criteria = { maxErrorRate: 0.2, minSamples: 3, consecutiveFailureLimit: 2 };

describe("judgeCanary", () => {
  it("fails on consecutive failing samples, even before the bake ends", () => {
    const v = judgeCanary([0.01, 0.3, 0.25], [0.01, 0.01], criteria, false);
    expect(v.decision).toBe("fail");
    expect(v.reason).toMatch(/2 consecutive samples/);
  });

  it("a single bad sample is not enough (one sample never decides)", () => {
    expect(judgeCanary([0.9], [], criteria, false).decision).toBe("continue");
    expect(judgeCanary([0.01, 0.5, 0.01, 0.01], [], criteria, true).decision).toBe("pass");
  });

  it("fails when the mean over at least minSamples reaches the limit", () => {
    const v = judgeCanary([0.25, 0.1, 0.3], [], { ...criteria, consecutiveFailureLimit: 5 }, false);
    expect(v.decision).toBe("fail");
    expect(v.canaryMean).toBeCloseTo(0.2167, 3);
  });

  it("does not judge the mean on fewer than minSamples", () => {
    expect(judgeCanary([0.5, 0.1], [], { ...criteria, consecutiveFailureLimit: 5 }, false).decision).toBe(
      "continue",
    );
  });

  it("is inconclusive when the bake ends without enough samples", () => {
    const v = judgeCanary([0.01, 0.02], [0.01], criteria, true);
    expect(v.decision).toBe("inconclusive");
    expect(v.reason).toMatch(/only 2 of the 3/);
  });

  it("passes with enough good samples and no Mann-Whitney below 8 per side", () => {
    const v = judgeCanary([0.01, 0.02, 0.01], [0.01, 0.01, 0.0], criteria, true);
    expect(v.decision).toBe("pass");
    expect(v.mannWhitney).toBeNull();
  });

  const baseline = [0.01, 0.0, 0.02, 0.01, 0.0, 0.01, 0.02, 0.01, 0.0, 0.01];

  it("fails a canary significantly worse than the baseline though under the limit", () => {
    const canary = [0.08, 0.1, 0.06, 0.09, 0.12, 0.07, 0.11, 0.09];
    expect(canary.length).toBe(MANN_WHITNEY_MIN_SAMPLES);
    const v = judgeCanary(canary, baseline, criteria, true);
    expect(v.decision).toBe("fail");
    expect(v.mannWhitney?.p).toBeLessThan(0.05);
    expect(v.reason).toMatch(/Mann-Whitney/);
  });

  it("passes a significant but negligible difference", () => {
    const canary = [0.03, 0.03, 0.025, 0.03, 0.028, 0.03, 0.027, 0.03];
    const v = judgeCanary(canary, baseline, criteria, true);
    expect(v.mannWhitney?.p).toBeLessThan(0.05);
    expect(v.decision).toBe("pass");
  });

  it("passes a canary that looks like the baseline", () => {
    const canary = [0.01, 0.01, 0.0, 0.02, 0.01, 0.0, 0.01, 0.02];
    const v = judgeCanary(canary, baseline, criteria, true);
    expect(v.decision).toBe("pass");
    expect(v.mannWhitney?.p).toBeGreaterThan(0.05);
  });
});
