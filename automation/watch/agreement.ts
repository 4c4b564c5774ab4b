import type { RegionHealth } from "../health/tracker";

/**
 * Whether the writer is down, by agreement of independent signals: Route 53's checkers (many
 * vantage points, its health-check verdict) and the controller's own probes (one vantage point).
 *
 * - down: the tracker says unhealthy, and both signals say so (Route 53 agrees once its checkers
 *   see the region failing: its 18 % verdict, or checkers in other locations already reporting
 *   the failure while the verdict turns; the probes, by `failureThreshold` failures in a row or
 *   by a window of failures beyond noise); or Route 53's API did not answer
 *   and the probes failed that way, so a Route 53 control-plane outage
 *   (its API lives in us-east-1) cannot block a failover; or there are no probes and Route 53
 *   alone says so.
 * - one-vantage: the probes fail but Route 53's checkers still reach the region. Clients do too
 *   (Route 53 steers them by the same checkers): the fault is between the controller and the
 *   region, and an unplanned failover would lose writes for nothing. It is never failed over.
 * - up: healthy, or not failing for long enough.
 */
export type WriterVerdict =
  | { readonly status: "up" }
  | {
      readonly status: "down";
      readonly basis: "agreed" | "probes only" | "route53 only" | "silence" | "quorum";
    }
  | { readonly status: "one-vantage"; readonly detail: string };

export function writerVerdict(health: RegionHealth | undefined, failureThreshold: number): WriterVerdict {
  // A writer nobody has observed is not declared down: the tracker starts every region healthy.
  if (health === undefined || health.healthy) return { status: "up" };
  // Failures in a row, or a partial fault the probes' window already shows beyond noise.
  const probesDown = health.probeFailures >= failureThreshold || health.probesFailing;
  const probesAnswered = health.lastSample !== null && health.lastSample.probeOk !== null;
  if (!health.route53Answered) {
    if (probesDown) return { status: "down", basis: "probes only" };
    // Neither signal answers: silence from a region is not health.
    if (!probesAnswered) return { status: "down", basis: "silence" };
    return { status: "up" };
  }
  if (health.route53 === "unhealthy" || health.route53 === "failing") {
    if (probesDown) return { status: "down", basis: "agreed" };
    if (!probesAnswered && health.route53 === "unhealthy") return { status: "down", basis: "route53 only" };
    return { status: "up" };
  }
  if (probesDown) {
    return {
      status: "one-vantage",
      detail: `${health.probeFailures >= failureThreshold ? `the controller's probes failed ${health.probeFailures} times in a row` : "the controller's probes fail more often than noise explains"}, but Route 53's checkers see the region healthy`,
    };
  }
  return { status: "up" };
}
