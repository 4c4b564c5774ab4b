import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

/** Route 53 measures every 10 or 30 seconds and allows 1 to 10 failures before unhealthy. */
const ROUTE53_INTERVALS = [10, 30];
const ROUTE53_MIN_THRESHOLD = 1;
const ROUTE53_MAX_THRESHOLD = 10;
/** What Route 53 uses when the fields are not set. */
const ROUTE53_DEFAULT_INTERVAL = 30;
const ROUTE53_DEFAULT_THRESHOLD = 3;
/** Route 53 needs at least 3 checker regions when they are listed. */
const ROUTE53_MIN_CHECKER_REGIONS = 3;

/** Types that probe an endpoint; calculated and alarm-based checks have no interval of their own. */
const ENDPOINT_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];

const DEFAULTS = { minFailureThreshold: 2, maxFailureThreshold: 5, maxDetectionSeconds: 90 };

interface TimingConfig {
  minFailureThreshold?: number;
  maxFailureThreshold?: number;
  maxDetectionSeconds?: number;
}

/**
 * Detection time (interval x threshold) is the first term of every failover's RTO. Route 53 bounds
 * the two fields; the project bounds them further: a threshold of 1 fails over on one lost packet,
 * and more than `maxDetectionSeconds` of detection breaks the RTO target.
 */
export const route53HealthCheckTiming: ResourceValidationPolicy = {
  name: "route53-health-check-timing",
  description:
    "Route 53 health checks use an allowed interval (10 or 30 s) and failure threshold (1-10) within the project's bounds.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      minFailureThreshold: {
        type: "integer",
        minimum: 1,
        maximum: 10,
        default: DEFAULTS.minFailureThreshold,
      },
      maxFailureThreshold: {
        type: "integer",
        minimum: 1,
        maximum: 10,
        default: DEFAULTS.maxFailureThreshold,
      },
      maxDetectionSeconds: { type: "integer", minimum: 10, default: DEFAULTS.maxDetectionSeconds },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== T.route53HealthCheck) return;
    const type = prop(args.props, "type");
    if (type.state === "known" && !ENDPOINT_TYPES.includes(String(type.value))) {
      args.notApplicable(`${String(type.value)} health checks have no interval or threshold`);
    }
    const config = args.getConfig<TimingConfig>();
    const minThreshold = config.minFailureThreshold ?? DEFAULTS.minFailureThreshold;
    const maxThreshold = config.maxFailureThreshold ?? DEFAULTS.maxFailureThreshold;
    const maxDetection = config.maxDetectionSeconds ?? DEFAULTS.maxDetectionSeconds;

    const intervalProp = prop(args.props, "requestInterval");
    const thresholdProp = prop(args.props, "failureThreshold");
    const interval = intervalProp.state === "known" ? Number(intervalProp.value) : ROUTE53_DEFAULT_INTERVAL;
    const threshold =
      thresholdProp.state === "known" ? Number(thresholdProp.value) : ROUTE53_DEFAULT_THRESHOLD;

    if (!ROUTE53_INTERVALS.includes(interval)) {
      report(`requestInterval ${interval} is not allowed by Route 53 (10 or 30 seconds).`);
    }
    if (
      !Number.isInteger(threshold) ||
      threshold < ROUTE53_MIN_THRESHOLD ||
      threshold > ROUTE53_MAX_THRESHOLD
    ) {
      report(`failureThreshold ${threshold} is not allowed by Route 53 (1 to 10).`);
    } else if (threshold < minThreshold || threshold > maxThreshold) {
      report(
        `failureThreshold ${threshold} is outside the project's bounds (${minThreshold} to ${maxThreshold}).`,
      );
    }
    if (interval * threshold > maxDetection) {
      report(
        `detection takes ${interval * threshold} s (requestInterval ${interval} x failureThreshold ${threshold}); the project allows at most ${maxDetection} s.`,
      );
    }
    const regions = prop(args.props, "regions");
    if (regions.state === "known" && Array.isArray(regions.value) && regions.value.length > 0) {
      if (regions.value.length < ROUTE53_MIN_CHECKER_REGIONS) {
        report(
          `regions lists ${regions.value.length} checker regions; Route 53 needs at least ${ROUTE53_MIN_CHECKER_REGIONS}.`,
        );
      }
    }
  },
};
