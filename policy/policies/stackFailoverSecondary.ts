import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knownString } from "../known";
import { T } from "../resourceTypes";
import { failoverRoleOf, routingKindOf } from "../routing";

/**
 * A failover record name with a PRIMARY and no SECONDARY has nowhere to send clients when the
 * PRIMARY's health check fails: Route 53 keeps answering with the dead region.
 */
export const stackFailoverSecondary: StackValidationPolicy = {
  name: "stack-failover-secondary",
  description: "With failover routing and more than one region, each failover record name has a SECONDARY.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      regions: { type: "array", items: { type: "string" }, description: "The stack's regions." },
    },
  },
  validateStack: (args, report) => {
    const regions = args.getConfig<{ regions?: string[] }>().regions;
    const regionCount = regions?.length ?? args.resources.filter((r) => r.type === T.regionStack).length;
    if (regionCount < 2) args.notApplicable("a single region has no secondary");
    const failover = args.resources.filter(
      (r) => r.type === T.route53Record && routingKindOf(r.props) === "failover",
    );
    for (const [name, group] of groupByName(failover)) {
      const roles = group.map((r) => failoverRoleOf(r.props));
      if (roles.includes("PRIMARY") && !roles.includes("SECONDARY")) {
        report(`${name} has a PRIMARY failover record but no SECONDARY one.`, group[0].urn);
      }
    }
  },
};

function groupByName(records: PolicyResource[]): Map<string, PolicyResource[]> {
  const groups = new Map<string, PolicyResource[]>();
  for (const r of records) {
    const name = knownString(() => r.props.name) ?? r.name;
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return groups;
}
