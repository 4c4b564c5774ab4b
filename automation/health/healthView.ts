import { DIP_SAMPLES, type HealthTracker, type RegionHealth, isHeldOut } from "./tracker";

/**
 * What the planners know of each region's health at one instant: the tracker's verdict, frozen.
 * Planners take this instead of the tracker so they stay pure functions of their inputs.
 */
export interface RegionAvailability {
  /** The verdict after hysteresis. */
  readonly healthy: boolean;
  /** Flapping, inside its cooldown. */
  readonly heldOut: boolean;
  /** How long the verdict has been healthy (0 while unhealthy); absent when not known. */
  readonly healthyForMs?: number;
  /**
   * Share of failed direct probes over the recent window; null while fewer than
   * MIN_PROBES_FOR_RATE answers exist (unknown, not zero). Absent when not measured.
   */
  readonly probeErrorRate?: number | null;
  /**
   * Unhealthy, but failing only partly: the probes' window turned it, or it answered between
   * failures since, and it has not failed twice in a row since. It would take the writes better
   * than no region at all. Absent when not known.
   */
  readonly partlyFailing?: boolean;
}

/** Fewer answers than this give no error rate: one failure in three would read as 33 %. */
export const MIN_PROBES_FOR_RATE = 10;

export function probeErrorRate(recent: readonly boolean[]): number | null {
  if (recent.length < MIN_PROBES_FOR_RATE) return null;
  return recent.filter((ok) => !ok).length / recent.length;
}

export type HealthView = Readonly<Record<string, RegionAvailability>>;

export function healthView(tracker: HealthTracker, now: number): HealthView {
  const view: Record<string, RegionAvailability> = {};
  for (const [region, h] of Object.entries(tracker)) {
    view[region] = {
      healthy: h.healthy,
      heldOut: isHeldOut(h, now),
      healthyForMs: h.healthy ? Math.max(0, now - h.since) : 0,
      probeErrorRate: probeErrorRate(h.recentProbes),
      partlyFailing: partlyFailing(h),
    };
  }
  return view;
}

/**
 * Unhealthy, yet answering: a partial fault (or an answer since the failures), and its latest
 * probes not failed twice in a row, so a region that went dark is never taken for one.
 */
export function partlyFailing(h: RegionHealth): boolean {
  return !h.healthy && h.probeFailures < DIP_SAMPLES && (h.partialFailure || h.consecutiveSuccesses > 0);
}

/** A region the view says nothing about is not available: silence is not health. */
export function regionAvailable(view: HealthView, region: string): boolean {
  const r = view[region];
  return r !== undefined && r.healthy && !r.heldOut;
}

/** Why a region is not available, for refusals and reports; null when it is. */
export function unavailableReason(view: HealthView, region: string): string | null {
  const r = view[region];
  if (r === undefined) return "no health observation";
  if (!r.healthy) return "unhealthy";
  if (r.heldOut) return "flapping (held out for its cooldown)";
  return null;
}
