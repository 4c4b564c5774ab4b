import { describe, expect, it } from "vitest";
import {
  FALSE_ALARM,
  PROBE_WINDOW,
  binomialTail,
  failuresNeeded,
  windowFailing,
} from "../../automation/health/failureWindow";
import { type HealthSettings, cleanRunNeeded } from "../../automation/health/settings";
import { initialTracker, observeSamples, relapsing } from "../../automation/health/tracker";
import { partlyFailing } from "../../automation/health/healthView";
import type { HealthSample } from "../../automation/ports";
import { sequence } from "../../automation/drill/random";
import { DEFAULT_HEALTH_SETTINGS } from "../support/healthSettings";

/** The controller's settings with the default noise bound (0.05) and rollback error rate (0.2). */
const SETTINGS: HealthSettings = {
  ...DEFAULT_HEALTH_SETTINGS,
  noiseErrorRate: 0.05,
  partialRecoveryThreshold: cleanRunNeeded(0.2),
};
const NOISE = 0.05;
const T0 = Date.UTC(2025, 0, 1);

/** "x" a failed probe, "." an answered one, oldest first. */
const probes = (pattern: string): boolean[] => [...pattern].map((c) => c === ".");

function sample(i: number, ok: boolean): HealthSample {
  // Route 53 sees the region healthy throughout: only the probes' window can see a partial fault.
  return { region: "r", at: T0 + i * 10_000, checkerFraction: 1, probeOk: ok, detail: ok ? "200" : "503" };
}

/** Feeds a probe pattern to a tracker; the index (from 0) of the sample that turned it unhealthy, or null. */
function heldOutAt(pattern: readonly boolean[], settings: HealthSettings = SETTINGS): number | null {
  let tracker = initialTracker(["r"], T0);
  for (let i = 0; i < pattern.length; i++) {
    const out = observeSamples(tracker, [sample(i, pattern[i])], settings);
    tracker = out.tracker;
    if (out.events.some((e) => e.kind === "unhealthy")) return i;
  }
  return null;
}

/** Probe answers of a region failing each with probability `rate`, from a seeded draw. */
function drawn(rate: number, n: number, seed: number): boolean[] {
  const rnd = sequence(seed);
  return Array.from({ length: n }, () => rnd() >= rate);
}

describe("binomial tail", () => {
  it.each([
    [3, 3, 0.05, 0.000125],
    [4, 3, 0.05, 4 * 0.05 ** 3 * 0.95 + 0.05 ** 4],
    [10, 0, 0.3, 1],
    [10, 11, 0.3, 0],
    [5, 1, 0, 0],
    [5, 5, 1, 1],
  ])("P(X >= %i of n=%i)... n=%i f=%i p=%f", (n, f, p, want) => {
    expect(binomialTail(n, f, p)).toBeCloseTo(want, 12);
  });

  it("agrees with the sum of the binomial terms", () => {
    const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
    for (const n of [1, 7, 30])
      for (let f = 0; f <= n; f++) {
        let want = 0;
        for (let k = f; k <= n; k++) want += choose(n, k) * 0.05 ** k * 0.95 ** (n - k);
        expect(binomialTail(n, f, 0.05)).toBeCloseTo(want, 12);
      }
  });
});

describe("the failures the window needs, at a 5 % noise bound", () => {
  it.each([
    [3, 3],
    [4, 3],
    [5, 4],
    [8, 4],
    [10, 5],
    [20, 6],
    [30, 7],
  ])("%i answers: %i failures", (n, f) => {
    expect(failuresNeeded(n, NOISE)).toBe(f);
    expect(binomialTail(n, f, NOISE)).toBeLessThanOrEqual(FALSE_ALARM);
    expect(binomialTail(n, f - 1, NOISE)).toBeGreaterThan(FALSE_ALARM);
  });
});

describe("windowed detection", () => {
  it.each([
    // Three in a row are not noise; three in four neither; two failures never are.
    ["...........................xxx", true],
    ["..........................xx.x", true],
    ["............................xx", false],
    ["x.........x.........x.........", false],
    // A flap faster than the failure threshold: two down, two up.
    ["......................xx..xx", true],
    ["......................xx..x", false],
    // A region answering again is never held out by its past alone.
    ["...........................xxx.", false],
    // A quarter of the probes failing over the window: 8 of 30.
    ["x...x...x...x...x...x...x..x.x", true],
    ["", false],
  ])("%s: %s", (pattern, failing) => {
    expect(windowFailing(probes(pattern), NOISE)).toBe(failing);
  });

  it("never holds out a 0.1 % build, over 1000 regions' windows of a day's probes", () => {
    let held = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      if (heldOutAt(drawn(0.001, 8640, seed)) !== null) held++;
    }
    expect(held).toBe(0);
  }, 60_000);

  it("holds out a region failing 90 % of its probes within four, and half within a dozen, mostly", () => {
    const at = (rate: number, seed: number): number => heldOutAt(drawn(rate, 200, seed)) ?? 200;
    const median = (rate: number): number => {
      const xs = Array.from({ length: 200 }, (_, i) => at(rate, i + 1)).sort((a, b) => a - b);
      return xs[100];
    };
    // Index from 0: the third answer is index 2.
    expect(median(0.9)).toBeLessThanOrEqual(3);
    expect(median(0.5)).toBeLessThanOrEqual(8);
    expect(median(0.25)).toBeLessThanOrEqual(25);
  });

  it("sees what failures in a row alone miss: a quarter of requests failing", () => {
    const streakOnly: HealthSettings = { ...SETTINGS, noiseErrorRate: undefined };
    let window = 0;
    let streak = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const pattern = drawn(0.25, 60, seed);
      if (heldOutAt(pattern) !== null) window++;
      if (heldOutAt(pattern, streakOnly) !== null) streak++;
    }
    expect(window).toBeGreaterThan(90);
    expect(streak).toBeLessThan(60);
  });
});

describe("recovery from a partial fault", () => {
  it("needs a clean run a region at the rollback error rate rarely shows", () => {
    expect(cleanRunNeeded(0.2)).toBe(PROBE_WINDOW);
    expect(cleanRunNeeded(0.5)).toBe(10);
    expect(0.5 ** cleanRunNeeded(0.5)).toBeLessThanOrEqual(FALSE_ALARM);
    expect(cleanRunNeeded(1)).toBe(1);
  });

  const feed = (pattern: readonly boolean[]) => {
    let tracker = initialTracker(["r"], T0);
    pattern.forEach((ok, i) => {
      tracker = observeSamples(tracker, [sample(i, ok)], SETTINGS).tracker;
    });
    return tracker.r;
  };

  it("an outage (failures in a row) comes back after the recovery threshold", () => {
    const r = feed(probes("..........xxxxx..."));
    expect(r.healthy).toBe(true);
    expect(r.partialFailure).toBe(false);
  });

  it("a degradation stays unhealthy through a few answers in a row", () => {
    const r = feed(probes("..........xx.x......"));
    expect(r.healthy).toBe(false);
    expect(r.partialFailure).toBe(true);
    const back = feed(probes(`..........xx.x${".".repeat(PROBE_WINDOW)}`));
    expect(back.healthy).toBe(true);
  });

  it("a healthy region failing now and then since it came back is not stable", () => {
    const r = feed(probes("..........xxx............x..."));
    expect(r.healthy).toBe(true);
    expect(relapsing(r, NOISE)).toBe(true);
    expect(relapsing(feed(probes("..........xxx............")), NOISE)).toBe(false);
  });
});

describe("failing only partly (a last-resort failover target)", () => {
  const after = (pattern: string) => {
    let tracker = initialTracker(["r"], T0);
    probes(pattern).forEach((ok, i) => {
      tracker = observeSamples(tracker, [sample(i, ok)], SETTINGS).tracker;
    });
    return tracker.r;
  };

  it.each([
    ["..........xx.x.", true],
    ["..........xx.x", true],
    // Down outright: failures in a row, no answer since.
    ["..........xxx", false],
    ["..........xxxxxx", false],
    // A degradation whose latest two probes both failed is not called into.
    ["..........xx.xxx", false],
    // Healthy is not "failing partly".
    ["..........", false],
  ])("%s: %s", (pattern, partly) => {
    expect(partlyFailing(after(pattern))).toBe(partly);
  });
});
