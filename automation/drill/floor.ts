import { ROUTE53_HEALTHY_FRACTION } from "../health/sampleVerdict";
import { GATHER_MS } from "../watch/replica";
import { route53IntervalSeconds } from "./route53Interval";
import type { Scenario } from "./scenario";
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
 * The floor of an endpoint fault that starts at `atSeconds`. A flap takes the region down for the
 * first half of each period, and a region that comes back before Route 53's verdict ends that
 * impact then, so a flap's clients path is the earlier of the two, plus the TTL.
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

/** Milliseconds are the simulation's resolution. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
