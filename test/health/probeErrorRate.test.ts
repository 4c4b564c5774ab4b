import { describe, expect, it } from "vitest";
import { MIN_PROBES_FOR_RATE, healthView } from "../../automation/health/healthView";
import type { HealthSettings } from "../../automation/health/settings";
import { PROBE_WINDOW, initialTracker, observeSamples } from "../../automation/health/tracker";
import type { HealthSample } from "../../automation/ports";
import { DEFAULT_HEALTH_SETTINGS } from "../support/healthSettings";

const SETTINGS: HealthSettings = DEFAULT_HEALTH_SETTINGS;
const T0 = Date.UTC(2025, 0, 1);

/** Feeds one probe answer per 10 s (null: the probe did not answer) and returns the measured rate. */
function rateAfter(probes: readonly (boolean | null)[]): number | null | undefined {
  let tracker = initialTracker(["us-west-2"], T0);
  probes.forEach((probeOk, i) => {
    const sample: HealthSample = {
      region: "us-west-2",
      at: T0 + i * 10_000,
      checkerFraction: 1,
      probeOk,
      detail: "",
    };
    tracker = observeSamples(tracker, [sample], SETTINGS).tracker;
  });
  return healthView(tracker, T0 + probes.length * 10_000)["us-west-2"].probeErrorRate;
}

describe("measured probe error rate", () => {
  // A region serving about a third errors: every third probe fails.
  const third = (n: number): boolean[] => Array.from({ length: n }, (_, i) => i % 3 !== 0);

  it.each([
    { what: "unknown with too few answers", probes: third(MIN_PROBES_FOR_RATE - 1), rate: null },
    { what: "a third failed", probes: third(PROBE_WINDOW), rate: 10 / 30 },
    { what: "no failures", probes: Array<boolean>(PROBE_WINDOW).fill(true), rate: 0 },
    {
      what: "only the recent window counts",
      probes: [...Array<boolean>(40).fill(false), ...Array<boolean>(PROBE_WINDOW).fill(true)],
      rate: 0,
    },
    { what: "unanswered probes abstain", probes: [...third(12), null, null, null], rate: 4 / 12 },
  ])("$what", ({ probes, rate }) => {
    expect(rateAfter(probes)).toBe(rate);
  });
});
