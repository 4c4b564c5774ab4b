import type { EnvironmentConfig } from "../../components/config";
import type { RegionHealth } from "../health/tracker";
import type { HealthView } from "../health/healthView";
import type { WriterVerdict } from "./agreement";
import { type QuorumVerdict, quorumVerdict, route53DetectionMs } from "./quorum";
import type { VantageInputs } from "./tickInputs";

/** This replica's vote on a region, from its own probes only: Route 53 votes on its own. */
function ownVote(health: RegionHealth | undefined, failureThreshold: number): boolean {
  return health !== undefined && health.probeFailures >= failureThreshold;
}

/**
 * Route 53's vote, when its API answered this tick: its own verdict (18 % or fewer of its
 * checkers see the region healthy). A few checkers failing is noise its rule absorbs; as a vote
 * it would pair with one cut-off replica into a false majority.
 */
function route53Vote(health: RegionHealth | undefined): { down: boolean } | null {
  if (health === undefined || !health.route53Answered) return null;
  return { down: health.route53 === "unhealthy" };
}

/**
 * With ARC routing controls, how long Route 53's checkers need to see a fault (the program's
 * health checks: its interval, threshold and timeout); null when health checks steer clients.
 */
export function arcDetectionMs(config: Pick<EnvironmentConfig, "dns">): number | null {
  return config.dns.control === "arc" ? route53DetectionMs(config.dns.healthCheck) : null;
}

export function regionQuorum(
  region: string,
  health: RegionHealth | undefined,
  vantage: VantageInputs,
  failureThreshold: number,
  now: number,
  arcMs: number | null = null,
): QuorumVerdict {
  return quorumVerdict({
    region,
    own: { voter: vantage.voter, down: ownVote(health, failureThreshold) },
    reports: vantage.reports,
    route53: route53Vote(health),
    now,
    freshMs: vantage.freshMs,
    ...(arcMs === null
      ? {}
      : { arc: { failingSince: health?.failingSince ?? null, route53DetectionMs: arcMs } }),
  });
}

/** The writer's verdict by a quorum of vantage points, in the shape a lone watcher's takes. */
export function quorumWriterVerdict(q: QuorumVerdict): WriterVerdict {
  if (q.status === "down") return { status: "down", basis: "quorum" };
  if (q.status === "one-vantage") return { status: "one-vantage", detail: q.detail };
  return { status: "up" };
}

/**
 * A region this replica sees failing (or flapping) only by its own probes, while other fresh
 * replicas see it up (and steady) and Route 53 does not disagree, is cut off from this replica,
 * not from its clients: the view the planners get calls it healthy, so no traffic move or target
 * choice follows one vantage point either.
 */
export function outvotedView(
  view: HealthView,
  tracker: Readonly<Record<string, RegionHealth>>,
  vantage: VantageInputs,
  failureThreshold: number,
  now: number,
  arcMs: number | null = null,
): HealthView {
  const out: Record<string, HealthView[string]> = { ...view };
  for (const [region, v] of Object.entries(view)) {
    if (v.healthy && !v.heldOut) continue;
    const health = tracker[region];
    const q = regionQuorum(region, health, vantage, failureThreshold, now, arcMs);
    if (q.status === "down" || q.peersUp === 0 || route53Vote(health)?.down === true) continue;
    out[region] = {
      ...v,
      ...(v.healthy ? {} : { healthy: true, healthyForMs: 0 }),
      // Flaps only this replica saw were its own path coming and going.
      heldOut: v.heldOut && q.peersFlapping > 0,
    };
  }
  return out;
}
