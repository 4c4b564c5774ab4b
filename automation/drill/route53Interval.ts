import type { Scenario } from "./scenario";

/**
 * The interval of Route 53's own checkers: the scenario's, or 10 s (Route 53's shortest) when the
 * watchers probe at a rate Route 53 does not offer.
 */
export function route53IntervalSeconds(s: Pick<Scenario, "healthCheck">): number {
  const v = s.healthCheck.intervalSeconds;
  return v === 10 || v === 30 ? v : 10;
}
