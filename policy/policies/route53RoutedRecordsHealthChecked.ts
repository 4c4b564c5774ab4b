import type { ResourceValidationPolicy } from "@pulumi/policy";
import { evaluatesTargetHealth, hasHealthCheck, routingKindOf } from "../routing";
import { T } from "../resourceTypes";

/**
 * Failover, latency and weighted routing only steer clients away from a dead region when Route 53
 * knows the region is dead: without a health check the record stays in rotation forever.
 */
export const route53RoutedRecordsHealthChecked: ResourceValidationPolicy = {
  name: "route53-routed-records-health-checked",
  description: "Every failover, latency or weighted Route 53 record has a health check.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    if (args.type !== T.route53Record) return;
    const kind = routingKindOf(args.props);
    if (kind === undefined) return;
    if (hasHealthCheck(args.props) || evaluatesTargetHealth(args.props)) return;
    report(
      `${kind} record has no health check: set healthCheckId (or, for an alias, evaluateTargetHealth: true).`,
    );
  },
};
