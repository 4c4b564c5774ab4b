import { windowFailing } from "../health/failureWindow";
import { ROUTE53_HEALTHY_FRACTION } from "../health/sampleVerdict";
import { GATHER_MS } from "../watch/replica";
import { route53IntervalSeconds } from "./route53Interval";
import { healthSettings } from "../health/settings";
import { PROBE_WINDOW } from "../health/tracker";
import type { ProbeAnswer } from "./probeLog";
import { drillSeconds } from "./recorder";
import type { Scenario } from "./scenario";
import { scenarioConfig } from "./scenarioConfig";
import { ARC_FLIP_SECONDS } from "./simTrafficControl";

/**
 * The service floor of a fault: the earliest moment any controller could have the service back,
 * derived from the simulation's own physics. Two paths run in parallel and the floor is the
 * longer one, never their sum:
 * - clients: Route 53's checkers must turn the endpoint unhealthy, then every client's cached
 *   answer must expire (the DNS TTL). With ARC routing controls (`dnsControl: arc`) the records
 *   answer to the controls, not to the checkers: the controller must see the region fail and flip
 *   its control, then the TTL;
 * - writer (a writer region's outage only): the controller must see the region fail, then the
 *   database promotion must finish.
 */
export interface Floor {
  /**
   * Seconds from the fault until Route 53 stops answering with the region: its checkers' verdict,
   * or with ARC the controller's detection plus the flip.
   */
  readonly route53Seconds: number;
  /** Route 53 detection (or, with ARC, controller detection + flip) + DNS TTL. */
  readonly clientsSeconds: number;
  /** Controller detection + database promotion; null when the fault does not take the writer. */
  readonly writerSeconds: number | null;
  readonly floorSeconds: number;
}

/**
 * When the checkers of an endpoint that stops answering at `faultSeconds` reach Route 53's verdict.
 * Checker c probes at `c x interval / checkers` past every interval (as `route53Checkers.ts`
 * places them), flips after `failureThreshold` failed probes in a row, and the endpoint is
 * unhealthy once 18 % or fewer still see it healthy: about (threshold - 1) x interval plus the
 * spread of the phases the verdict has to wait for, not interval x threshold.
 */
export function route53VerdictSeconds(s: Scenario, faultSeconds: number): number {
  const n = s.simulation.checkers;
  const intervalMs = route53IntervalSeconds(s) * 1000;
  const faultMs = faultSeconds * 1000;
  const flips: number[] = [];
  for (let c = 0; c < n; c++) {
    const phase = Math.floor((c * intervalMs) / n);
    const first = phase + Math.max(0, Math.ceil((faultMs - phase) / intervalMs)) * intervalMs;
    flips.push(first + (s.healthCheck.failureThreshold - 1) * intervalMs);
  }
  flips.sort((a, b) => a - b);
  // The fewest flipped checkers that leave 18 % or fewer healthy.
  let needed = 1;
  while ((n - needed) / n > ROUTE53_HEALTHY_FRACTION) needed++;
  return flips[needed - 1] / 1000;
}

/**
 * The controller's fastest detection of a dead region: `failureThreshold` failed samples one
 * health-check interval apart, the last of which waits out the probe timeout (a connection that
 * is not answered is only known to have failed then). The watcher's tick phase is taken as the
 * best case, so the bound holds whatever the tick schedule. Watcher replicas (`controlPlane`)
 * decide together: each publishes its verdict and waits for the others' before the vote, so the
 * earliest verdict comes that much later.
 */
export function controllerDetectionSeconds(s: Scenario): number {
  const gather = s.controlPlane === undefined ? 0 : GATHER_MS / 1000;
  return (
    (s.healthCheck.failureThreshold - 1) * s.healthCheck.intervalSeconds +
    s.healthCheck.timeoutSeconds +
    gather
  );
}

/** The database promotion: the managed failover, or detaching a secondary when that is impossible. */
export function promotionSeconds(s: Scenario): number {
  return s.database.managedFailover ? s.database.failoverSeconds : s.database.detachSeconds;
}

/**
 * The floor of an outage that starts at `atSeconds` (partial faults: `partialFaultFloor`). Its
 * `flap` form is the first down half alone: a region that comes back before Route 53's verdict
 * ends that half's impact then, so its clients path is the earlier of the two, plus the TTL.
 */
export function faultFloor(
  s: Scenario,
  fault: { kind: "outage" | "flap" | "degrade"; atSeconds: number; periodSeconds?: number },
  writerFault: boolean,
): Floor {
  const ttl = s.dnsTtlSeconds;
  const verdict =
    s.dnsControl === "arc"
      ? fault.atSeconds + controllerDetectionSeconds(s) + ARC_FLIP_SECONDS
      : route53VerdictSeconds(s, fault.atSeconds);
  const route53Seconds = verdict - fault.atSeconds;
  const backUp = fault.kind === "flap" ? fault.atSeconds + (fault.periodSeconds ?? 0) / 2 : Infinity;
  const clientsSeconds = Math.min(verdict, backUp) + ttl - fault.atSeconds;
  const writerSeconds =
    writerFault && fault.kind === "outage" ? controllerDetectionSeconds(s) + promotionSeconds(s) : null;
  return {
    route53Seconds: round(route53Seconds),
    clientsSeconds: round(clientsSeconds),
    writerSeconds,
    floorSeconds: round(Math.max(clientsSeconds, writerSeconds ?? 0)),
  };
}

/**
 * What a partial fault's floor reads of the drill: the simulation's physics and the probes'
 * answers, never what the controller did with them.
 */
export interface PartialFaultEvidence {
  /**
   * The stretches (whole seconds, end exclusive) in which Route 53 answered clients with the
   * region while it was not healthy (the monitor's frames): each such second leaves a client on
   * it for a TTL.
   */
  readonly badAnswers: readonly { readonly from: number; readonly to: number }[];
  /** The direct probes' answers about the region, one list per watcher replica. */
  readonly probes: readonly (readonly ProbeAnswer[])[];
  /** When the fault ended (the region recovered), or the drill's end. */
  readonly endSeconds: number;
  /** The drill's end: a floor beyond it is no floor within the drill. */
  readonly untilSeconds: number;
  /** The region held the writer when the fault began. */
  readonly writer: boolean;
}

/**
 * The earliest instant (drill seconds) a controller with the configured detector could know of a
 * partial fault that began at `atSeconds`: the first probe answer at or after the fault after
 * which some replica's answers fail `failureThreshold` times in a row, or fail more often within
 * the probe window than noise explains (`failureWindow.ts`). Null when none does.
 *
 * For the writer's region (`writer`) the controller also needs Route 53's checkers to agree
 * before it fails the writer over (an unplanned failover loses writes, and one vantage alone may
 * be the one that is cut off): the answer must find some checker failing, or Route 53's API out.
 */
export function partialFaultDetectionSeconds(
  s: Scenario,
  atSeconds: number,
  probes: readonly (readonly ProbeAnswer[])[],
  writer = false,
): number | null {
  const built = scenarioConfig(s);
  if (!("config" in built)) return null;
  const settings = healthSettings(built.config);
  const noise = settings.noiseErrorRate ?? 0;
  let earliest: number | null = null;
  for (const answers of probes) {
    const window: boolean[] = [];
    let streak = 0;
    for (const a of answers) {
      window.push(a.ok);
      if (window.length > PROBE_WINDOW) window.shift();
      streak = a.ok ? 0 : streak + 1;
      const t = drillSeconds(a.atMs);
      if (t < atSeconds) continue;
      const agreed = !writer || a.route53Failing !== false;
      if (agreed && (streak >= settings.failureThreshold || windowFailing(window, noise))) {
        if (earliest === null || t < earliest) earliest = t;
        break;
      }
    }
  }
  return earliest;
}

/**
 * The quickest change of the region's record once a controller knows: a stack update of the DNS
 * records, or with ARC routing controls the flip of its control.
 */
export function trafficMoveSeconds(s: Scenario): number {
  const update = s.simulation.stackUpdateSeconds;
  return s.dnsControl === "arc" ? Math.min(update, ARC_FLIP_SECONDS) : update;
}

/**
 * The floor of a partial fault (a degradation, or a flap) that begins at `atSeconds`: seconds
 * until the last client that no controller could have spared lets go of the region.
 *
 * No controller moves the region's record before `detection + move` (the probes' first conclusive
 * answer, see `partialFaultDetectionSeconds`, plus the quickest record change); until then Route 53
 * answers with it whenever its own checkers see it healthy, which a degradation of a quarter or
 * half of the requests never changes and a flap's up halves undo. Every second before that
 * instant at which Route 53 answered clients with the region while it was not healthy (a flap's
 * down halves, a degradation throughout) leaves a client on it for a TTL. The floor ends one
 * second and a TTL after the last such second before that instant or the fault's end; null when
 * that is past the drill's end (nothing could have ended the impact within the drill).
 * Physics and the probes' answers fix these seconds; the controller's own moves cannot come
 * before them, so the floor is a lower bound of every RTO by construction.
 */
export function partialFaultFloor(
  s: Scenario,
  atSeconds: number,
  evidence: PartialFaultEvidence,
): number | null {
  const detected = partialFaultDetectionSeconds(s, atSeconds, evidence.probes, evidence.writer);
  const moved = detected === null ? Number.POSITIVE_INFINITY : detected + trafficMoveSeconds(s);
  const until = Math.min(moved, evidence.endSeconds);
  let last: number | null = null;
  for (const b of evidence.badAnswers) {
    // The last whole second of the stretch that is before `until` and not before the fault.
    const second = Math.min(b.to - 1, Math.ceil(until) - 1);
    if (second >= Math.max(b.from, atSeconds) && (last === null || second > last)) last = second;
  }
  if (last === null) return 0;
  const end = last + 1 + s.dnsTtlSeconds;
  return end > evidence.untilSeconds ? null : round(end - atSeconds);
}

/** Milliseconds are the simulation's resolution. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
