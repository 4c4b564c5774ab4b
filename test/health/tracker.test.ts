import { describe, expect, it } from "vitest";
import type { HealthSettings } from "../../automation/health/settings";
import {
  type HealthEvent,
  type HealthTracker,
  initialTracker,
  isAvailable,
  isHeldOut,
  observeSamples,
} from "../../automation/health/tracker";
import type { HealthSample } from "../../automation/ports";
import { DEFAULT_HEALTH_SETTINGS } from "../support/healthSettings";

const SETTINGS: HealthSettings = DEFAULT_HEALTH_SETTINGS;

const T0 = Date.UTC(2025, 0, 1);
const at = (s: number): number => T0 + s * 1000;

function sample(region: string, s: number, ok: boolean, checkers: number | null = ok ? 1 : 0): HealthSample {
  return { region, at: at(s), checkerFraction: checkers, probeOk: ok, detail: ok ? "200" : "503" };
}

/** Feeds a sequence of verdicts (one per 10 s) for one region; returns the tracker and the events. */
function feed(
  pattern: readonly boolean[],
  start = 10,
  tracker: HealthTracker = initialTracker(["r"], T0),
): { tracker: HealthTracker; events: HealthEvent[] } {
  const events: HealthEvent[] = [];
  let t = tracker;
  pattern.forEach((ok, i) => {
    const out = observeSamples(t, [sample("r", start + i * 10, ok)], SETTINGS);
    t = out.tracker;
    events.push(...out.events);
  });
  return { tracker: t, events };
}

describe("health tracker: hysteresis", () => {
  it("turns unhealthy only on the third consecutive failure, dating the fault from the first", () => {
    const two = feed([false, false]);
    expect(two.tracker.r.healthy).toBe(true);
    expect(two.events).toEqual([]);

    const three = feed([false, false, false]);
    expect(three.tracker.r.healthy).toBe(false);
    expect(three.events).toEqual([{ kind: "unhealthy", region: "r", at: at(30), failingSince: at(10) }]);
  });

  it("a success in between resets the failure count", () => {
    const { tracker, events } = feed([false, false, true, false, false]);
    expect(tracker.r.healthy).toBe(true);
    expect(tracker.r.consecutiveFailures).toBe(2);
    expect(events).toEqual([]);
  });

  it("comes back only after the recovery threshold of consecutive successes", () => {
    const down = feed([false, false, false]).tracker;
    const partial = feed([true, true, false, true, true], 40, down);
    expect(partial.tracker.r.healthy).toBe(false);
    const recovered = feed([true], 90, partial.tracker);
    expect(recovered.tracker.r.healthy).toBe(true);
    // Down, up for a moment, down again, up: four changes in the window, so it is also flapping.
    expect(recovered.events).toEqual([
      { kind: "recovered", region: "r", at: at(90) },
      { kind: "flapping", region: "r", at: at(90), until: at(990) },
    ]);
    expect(recovered.tracker.r.failingSince).toBeNull();
  });

  it("uses a larger recovery threshold than failure threshold when configured", () => {
    const settings = { ...SETTINGS, recoveryThreshold: 5 };
    let t = initialTracker(["r"], T0);
    for (let i = 0; i < 3; i++) t = observeSamples(t, [sample("r", 10 + i * 10, false)], settings).tracker;
    for (let i = 0; i < 4; i++) t = observeSamples(t, [sample("r", 40 + i * 10, true)], settings).tracker;
    expect(t.r.healthy).toBe(false);
    t = observeSamples(t, [sample("r", 80, true)], settings).tracker;
    expect(t.r.healthy).toBe(true);
  });

  it("a tracker that must prove health starts unhealthy", () => {
    const t = initialTracker(["r"], T0, false);
    expect(isAvailable(t.r, T0)).toBe(false);
    const { tracker } = feed([true, true, true], 10, t);
    expect(isAvailable(tracker.r, at(30))).toBe(true);
  });
});

describe("health tracker: flapping", () => {
  // Down for three samples, up for three: a verdict change every 30 s.
  const cycle = [false, false, false, true, true, true];

  it("holds a region out for the cooldown after N transitions inside the window", () => {
    const { tracker, events } = feed([...cycle, ...cycle]);
    const transitions = events.filter((e) => e.kind === "unhealthy" || e.kind === "recovered");
    expect(transitions.map((e) => e.at)).toEqual([at(30), at(60), at(90), at(120)]);
    expect(events.find((e) => e.kind === "flapping")).toEqual({
      kind: "flapping",
      region: "r",
      at: at(120),
      until: at(1020),
    });
    // Healthy right now, but held out: not available.
    expect(tracker.r.healthy).toBe(true);
    expect(isHeldOut(tracker.r, at(130))).toBe(true);
    expect(isAvailable(tracker.r, at(130))).toBe(false);
  });

  it("stays held out while healthy through the cooldown, and is available once it ends", () => {
    const flapped = feed([...cycle, ...cycle]).tracker;
    const steady = Array.from({ length: 90 }, () => true);
    const { tracker, events } = feed(steady, 130, flapped);
    const over = events.find((e) => e.kind === "cooldownOver");
    expect(over?.at).toBe(at(1020));
    expect(isAvailable(tracker.r, at(1020))).toBe(true);
    // Before the cooldown ended, the region was held out even though healthy.
    expect(isHeldOut(flapped.r, at(1010))).toBe(true);
  });

  it("sees a region flapping faster than the recovery threshold, which never turns healthy", () => {
    // Up for two samples, down for three: never 3 successes in a row, so the verdict stays
    // unhealthy throughout, but it keeps coming up and going down.
    const fast = [
      false,
      false,
      false,
      ...Array.from({ length: 4 }, () => [true, true, false, false, false]).flat(),
    ];
    const { tracker, events } = feed(fast);
    expect(events.some((e) => e.kind === "recovered")).toBe(false);
    const flapping = events.find((e) => e.kind === "flapping");
    // Unhealthy at 30 s; comebacks aborted at 60 s and 110 s: five changes by then.
    expect(flapping).toMatchObject({ kind: "flapping", at: at(110) });
    expect(tracker.r.healthy).toBe(false);
    expect(isHeldOut(tracker.r, at(200))).toBe(true);
  });

  it("counts a healthy region's dips (two failures or more, short of the threshold) as going down and up", () => {
    // Two down, two up: faster than the failure threshold, so the verdict never changes.
    const dips = Array.from({ length: 4 }, () => [false, false, true, true]).flat();
    const { tracker, events } = feed(dips);
    expect(events.some((e) => e.kind === "unhealthy")).toBe(false);
    // Two dips, ending at 30 s and 70 s: four changes, flapping.
    expect(events.find((e) => e.kind === "flapping")).toMatchObject({ at: at(70) });
    expect(tracker.r.healthy).toBe(true);
    expect(isAvailable(tracker.r, at(100))).toBe(false);
  });

  it("does not count a healthy region's isolated failures, below the failure threshold", () => {
    const noisy = Array.from({ length: 60 }, (_, i) => i % 4 !== 3);
    const { tracker, events } = feed(noisy);
    expect(events).toEqual([]);
    expect(tracker.r.transitions).toEqual([]);
  });

  it("does not count slow transitions that fall outside the window", () => {
    // A verdict change every 210 s: at most three fit in a 600 s window.
    const slow = Array.from({ length: 6 * 21 }, (_, i) => Math.floor(i / 21) % 2 === 1);
    const { tracker, events } = feed(slow);
    expect(
      events.filter((e) => e.kind === "unhealthy" || e.kind === "recovered").length,
    ).toBeGreaterThanOrEqual(5);
    expect(events.some((e) => e.kind === "flapping")).toBe(false);
    expect(tracker.r.heldOutUntil).toBeNull();
  });

  it("samples that flip faster than the thresholds never change the verdict (hysteresis absorbs them)", () => {
    const { tracker, events } = feed(Array.from({ length: 60 }, (_, i) => i % 2 === 0));
    expect(events).toEqual([]);
    expect(tracker.r.healthy).toBe(true);
  });
});

describe("health tracker: signals", () => {
  it("applies Route 53's 18 % rule: 18 % healthy checkers is a failure even with a good probe", () => {
    let t = initialTracker(["r"], T0);
    for (let i = 0; i < 3; i++)
      t = observeSamples(t, [sample("r", 10 + i * 10, true, 0.18)], SETTINGS).tracker;
    expect(t.r.healthy).toBe(false);
    let u = initialTracker(["r"], T0);
    for (let i = 0; i < 3; i++)
      u = observeSamples(u, [sample("r", 10 + i * 10, true, 0.19)], SETTINGS).tracker;
    expect(u.r.healthy).toBe(true);
  });

  it("decides on the probe alone when Route 53 does not answer, and says so", () => {
    let t = initialTracker(["r"], T0);
    for (let i = 0; i < 3; i++)
      t = observeSamples(t, [sample("r", 10 + i * 10, false, null)], SETTINGS).tracker;
    expect(t.r.healthy).toBe(false);
    expect(t.r.signals).toBe("probe only");
    for (let i = 0; i < 3; i++)
      t = observeSamples(t, [sample("r", 40 + i * 10, true, null)], SETTINGS).tracker;
    expect(t.r.healthy).toBe(true);
  });

  it("counts a sample with no signal at all as a failure", () => {
    let t = initialTracker(["r"], T0);
    for (let i = 0; i < 3; i++) {
      t = observeSamples(
        t,
        [{ region: "r", at: at(10 + i * 10), checkerFraction: null, probeOk: null, detail: "" }],
        SETTINGS,
      ).tracker;
    }
    expect(t.r.healthy).toBe(false);
    expect(t.r.signals).toBe("none");
  });

  it("tracks regions independently within one round", () => {
    let t = initialTracker(["a", "b"], T0);
    for (let i = 0; i < 3; i++) {
      t = observeSamples(
        t,
        [sample("a", 10 + i * 10, false), sample("b", 10 + i * 10, true)],
        SETTINGS,
      ).tracker;
    }
    expect(t.a.healthy).toBe(false);
    expect(t.b.healthy).toBe(true);
  });
});
