import type { HealthSample } from "../ports";

/**
 * Route 53 calls an endpoint unhealthy when 18 % or fewer of its checkers see it healthy.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
export const ROUTE53_HEALTHY_FRACTION = 0.18;

/**
 * One sample's verdict. Both signals must agree the region is up; a signal that did not answer
 * (null) abstains, so a failing Route 53 API leaves the decision to the probes. A sample with no
 * signal at all counts as a failure: silence from a region is not health.
 */
export function sampleHealthy(sample: HealthSample): boolean {
  const checkers = sample.checkerFraction === null ? null : sample.checkerFraction > ROUTE53_HEALTHY_FRACTION;
  if (checkers === null && sample.probeOk === null) return false;
  return checkers !== false && sample.probeOk !== false;
}
