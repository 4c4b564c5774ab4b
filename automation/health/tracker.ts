import type { HealthSample } from "../ports";
import { PROBE_WINDOW, windowFailing } from "./failureWindow";
import { ROUTE53_HEALTHY_FRACTION, sampleHealthy } from "./sampleVerdict";
import { type HealthSettings, cleanRunNeeded } from "./settings";

/**
 * The region health tracker: turns a stream of samples into a stable verdict per region. Pure and
 * clock-driven: time comes only from the samples, so the drill replays it on a virtual clock.
 *
 * - A healthy region turns unhealthy after `failureThreshold` consecutive failed samples, or as
 *   soon as its direct probes' recent failures are more than noise explains (`failureWindow.ts`:
 *   a degradation or a fast flap, which need not fail many probes in a row); an unhealthy one
 *   turns healthy only after `recoveryThreshold` consecutive good ones, or
 *   `partialRecoveryThreshold` when it failed only partly (see `partialFailure`). The gap
 *   between the two is the hysteresis that keeps one lucky probe from readmitting a region.
 * - A region whose health changes `flapTransitions` times inside `flapWindowMs` is flapping: it is
 *   held out for `flapCooldownMs` whatever its verdict, so traffic and the writer do not chase it.
 *   The changes counted are the verdict's, and also the raw ones an unhealthy region makes without
 *   reaching the recovery threshold: answering for a sample or two, then failing again, is coming up
 *   and going down. A region that flaps faster than the hysteresis stays "unhealthy" throughout,
 *   and would otherwise never be seen flapping. Likewise a healthy region's dips: a few failed
 *   samples in a row, short of the failure threshold (a flap faster than the thresholds). A single
 *   failed sample is noise and does not count.
 */

/**
 * Failed samples in a row that make a dip (below the failure threshold) count as going down and up:
 * one failed sample is noise, two in a row are not.
 */
export const DIP_SAMPLES = 2;

/** Which signals the last sample carried: a failing Route 53 API leaves the probes alone. */
export type SignalSet = "route53+probe" | "probe only" | "route53 only" | "none";

export interface RegionHealth {
  readonly region: string;
  /** The verdict after hysteresis. */
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Times of verdict changes still inside the flap window, oldest first. */
  readonly transitions: readonly number[];
  /** Held out as flapping until this time, or null. */
  readonly heldOutUntil: number | null;
  /** First failed sample of the current run of failures: the earliest the fault is known to exist. */
  readonly failingSince: number | null;
  /** When the verdict last changed (or tracking began). */
  readonly since: number;
  readonly lastSample: HealthSample | null;
  readonly signals: SignalSet;
  /** The direct probes' recent answers (true: ok), oldest first, at most PROBE_WINDOW of them. */
  readonly recentProbes: readonly boolean[];
  /**
   * Failed direct probes in a row; a sample without a probe answer leaves the count alone. With
   * `route53`, what the agreement rule before an unplanned failover reads (see watch/agreement.ts).
   */
  readonly probeFailures: number;
  /**
   * The direct probes' window shows the region failing (see `failureWindow.ts`), though perhaps
   * not `failureThreshold` times in a row: a partial fault. Counts as the probes' side of the
   * agreement rule, as failures in a row do.
   */
  readonly probesFailing: boolean;
  /**
   * The current unhealthy spell is a partial fault: it began by the probes' window rather than by
   * failures in a row, or the region answered between failures since. Its recovery needs the
   * longer clean run. False while healthy.
   */
  readonly partialFailure: boolean;
  /** Direct probe answers, and failed ones among them, since the verdict last changed. */
  readonly spellProbes: number;
  readonly spellFailures: number;
  /**
   * Route 53 at its last answer: "unhealthy" by its 18 % rule; "failing" when some of its
   * checkers already see the region down though the verdict has not turned yet; "healthy" when
   * every checker sees it up; "unknown" while it has never answered.
   */
  readonly route53: Route53View;
  /** Whether Route 53 answered for the last sample (its API may be out). */
  readonly route53Answered: boolean;
}

export { PROBE_WINDOW };

export type Route53View = "healthy" | "failing" | "unhealthy" | "unknown";

export function route53View(checkerFraction: number): Route53View {
  if (checkerFraction <= ROUTE53_HEALTHY_FRACTION) return "unhealthy";
  return checkerFraction < 1 ? "failing" : "healthy";
}

export type HealthTracker = Readonly<Record<string, RegionHealth>>;

export type HealthEvent =
  | {
      readonly kind: "unhealthy";
      readonly region: string;
      readonly at: number;
      readonly failingSince: number;
    }
  | { readonly kind: "recovered"; readonly region: string; readonly at: number }
  | { readonly kind: "flapping"; readonly region: string; readonly at: number; readonly until: number }
  | { readonly kind: "cooldownOver"; readonly region: string; readonly at: number };

/**
 * A tracker for `regions`. A long-running watcher starts from healthy (a
 * dead region still turns unhealthy after `failureThreshold` samples); a one-shot command that must
 * prove health before acting (switchover, failback) starts from unhealthy.
 */
export function initialTracker(regions: readonly string[], now: number, startHealthy = true): HealthTracker {
  const tracker: Record<string, RegionHealth> = {};
  for (const region of regions) tracker[region] = freshRegion(region, now, startHealthy);
  return tracker;
}

function freshRegion(region: string, now: number, healthy: boolean): RegionHealth {
  return {
    region,
    healthy,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    transitions: [],
    heldOutUntil: null,
    failingSince: null,
    since: now,
    lastSample: null,
    signals: "none",
    recentProbes: [],
    probeFailures: 0,
    probesFailing: false,
    partialFailure: false,
    spellProbes: 0,
    spellFailures: 0,
    route53: "unknown",
    route53Answered: false,
  };
}

export function signalsOf(sample: HealthSample): SignalSet {
  if (sample.checkerFraction !== null && sample.probeOk !== null) return "route53+probe";
  if (sample.probeOk !== null) return "probe only";
  if (sample.checkerFraction !== null) return "route53 only";
  return "none";
}

/** Folds one sample into one region's health. */
export function observeRegion(
  current: RegionHealth,
  sample: HealthSample,
  settings: HealthSettings,
): { readonly health: RegionHealth; readonly events: HealthEvent[] } {
  const at = sample.at;
  const ok = sampleHealthy(sample);
  const events: HealthEvent[] = [];
  const failures = ok ? 0 : current.consecutiveFailures + 1;
  const successes = ok ? current.consecutiveSuccesses + 1 : 0;
  const failingSince = ok ? null : (current.failingSince ?? at);
  const recentProbes =
    sample.probeOk === null
      ? current.recentProbes
      : [...current.recentProbes, sample.probeOk].slice(-PROBE_WINDOW);
  const probesFailing =
    settings.noiseErrorRate !== undefined &&
    sample.probeOk === false &&
    windowFailing(recentProbes, settings.noiseErrorRate);

  let healthy = current.healthy;
  let since = current.since;
  let transitions = current.transitions.filter((t) => t > at - settings.flapWindowMs);
  let partialFailure = current.partialFailure;
  const recoveryNeeded = partialFailure
    ? partialRecoveryNeeded(current, settings)
    : settings.recoveryThreshold;
  if (healthy && !ok && (failures >= settings.failureThreshold || probesFailing)) {
    healthy = false;
    partialFailure = failures < settings.failureThreshold;
    events.push({ kind: "unhealthy", region: current.region, at, failingSince: failingSince ?? at });
  } else if (!healthy && successes >= recoveryNeeded) {
    healthy = true;
    partialFailure = false;
    events.push({ kind: "recovered", region: current.region, at });
  }
  if (healthy !== current.healthy) {
    since = at;
    transitions = [...transitions, at];
  } else if (!healthy && !ok && current.consecutiveSuccesses > 0) {
    partialFailure = true;
    // An aborted comeback: up for a moment, then down again. Two changes the verdict never showed.
    transitions = [...transitions, current.lastSample?.at ?? at, at];
  } else if (healthy && ok && current.consecutiveFailures >= DIP_SAMPLES) {
    // A dip: down for a few samples, short of the failure threshold, and up again.
    transitions = [...transitions, current.failingSince ?? at, at];
  }

  let heldOutUntil = current.heldOutUntil;
  if (heldOutUntil !== null && at >= heldOutUntil) {
    heldOutUntil = null;
    events.push({ kind: "cooldownOver", region: current.region, at });
  }
  if (heldOutUntil === null && transitions.length >= settings.flapTransitions) {
    heldOutUntil = at + settings.flapCooldownMs;
    // A fresh count after the hold: the next hold needs a fresh run of flaps.
    transitions = [];
    events.push({ kind: "flapping", region: current.region, at, until: heldOutUntil });
  }

  return {
    health: {
      region: current.region,
      healthy,
      consecutiveFailures: failures,
      consecutiveSuccesses: successes,
      transitions,
      heldOutUntil,
      failingSince,
      since,
      lastSample: sample,
      signals: signalsOf(sample),
      recentProbes,
      probeFailures:
        sample.probeOk === null ? current.probeFailures : sample.probeOk ? 0 : current.probeFailures + 1,
      probesFailing: sample.probeOk === null ? current.probesFailing : probesFailing,
      partialFailure,
      ...spell(current, sample, healthy !== current.healthy),
      route53: sample.checkerFraction === null ? current.route53 : route53View(sample.checkerFraction),
      route53Answered: sample.checkerFraction !== null,
    },
    events,
  };
}

/**
 * Good answers in a row a partly failing region needs to be healthy again: a run that a region
 * failing as often as the probe window measured (before its current good run) shows less often
 * than the detector's false-alarm chance; at least `recoveryThreshold`, at most
 * `partialRecoveryThreshold` (the run that rules out the rollback error rate).
 */
function partialRecoveryNeeded(h: RegionHealth, settings: HealthSettings): number {
  const most = Math.max(settings.recoveryThreshold, settings.partialRecoveryThreshold ?? 0);
  let end = h.recentProbes.length;
  while (end > 0 && h.recentProbes[end - 1]) end--;
  const before = h.recentProbes.slice(0, end);
  const measured = before.length > 0 ? before.filter((ok) => !ok).length / before.length : 1;
  return Math.min(most, Math.max(settings.recoveryThreshold, cleanRunNeeded(measured)));
}

/** The probe counts of the verdict's current spell, after one more sample. */
function spell(
  current: RegionHealth,
  sample: HealthSample,
  verdictChanged: boolean,
): { spellProbes: number; spellFailures: number } {
  const base = verdictChanged ? { spellProbes: 0, spellFailures: 0 } : current;
  if (sample.probeOk === null) return { spellProbes: base.spellProbes, spellFailures: base.spellFailures };
  return {
    spellProbes: base.spellProbes + 1,
    spellFailures: base.spellFailures + (sample.probeOk ? 0 : 1),
  };
}

/**
 * A healthy region whose probes have failed more often than noise since it turned healthy: a
 * partial fault still there, whose failures fell short of the detector so far. Not stable enough
 * to be readmitted.
 */
export function relapsing(health: RegionHealth, noiseErrorRate: number): boolean {
  return health.healthy && health.spellFailures > Math.floor(noiseErrorRate * health.spellProbes);
}

/** Folds one round of samples (any order, any subset of regions) into the tracker. */
export function observeSamples(
  tracker: HealthTracker,
  samples: readonly HealthSample[],
  settings: HealthSettings,
): { readonly tracker: HealthTracker; readonly events: HealthEvent[] } {
  const next: Record<string, RegionHealth> = { ...tracker };
  const events: HealthEvent[] = [];
  for (const sample of [...samples].sort((a, b) => a.at - b.at)) {
    const current = next[sample.region] ?? freshRegion(sample.region, sample.at, true);
    const result = observeRegion(current, sample, settings);
    next[sample.region] = result.health;
    events.push(...result.events);
  }
  return { tracker: next, events };
}

/** Healthy and not held out: may serve traffic, take the writer, or be promoted to. */
export function isAvailable(health: RegionHealth | undefined, now: number): boolean {
  return health !== undefined && health.healthy && !isHeldOut(health, now);
}

export function isHeldOut(health: RegionHealth | undefined, now: number): boolean {
  return health?.heldOutUntil !== null && health?.heldOutUntil !== undefined && now < health.heldOutUntil;
}
