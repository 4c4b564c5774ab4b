import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { hasHealthCheck, routingKindOf } from "../routing";
import { T } from "../resourceTypes";

const DEFAULT_MAX_TTL = 60;

/**
 * After Route 53 stops answering with a dead region, clients keep the old answer for the TTL: on a
 * health-checked (or routed) record the TTL is part of the RTO, and AWS advises 60 s or less.
 */
export const route53HealthCheckedTtl: ResourceValidationPolicy = {
  name: "route53-health-checked-ttl",
  description: "Health-checked and routed Route 53 records have a TTL of at most 60 seconds.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      maxTtl: { type: "integer", minimum: 0, maximum: 300, default: DEFAULT_MAX_TTL },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== T.route53Record) return;
    if (!hasHealthCheck(args.props) && routingKindOf(args.props) === undefined) return;
    const maxTtl = args.getConfig<{ maxTtl?: number }>().maxTtl ?? DEFAULT_MAX_TTL;
    const ttl = prop(args.props, "ttl");
    if (ttl.state !== "known") return; // alias records have no TTL of their own
    if (Number(ttl.value) > maxTtl) {
      report(
        `ttl ${String(ttl.value)} is above ${maxTtl} s on a health-checked record; clients would keep a dead region that long.`,
      );
    }
  },
};
