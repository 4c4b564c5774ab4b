import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knownString } from "../known";
import { awsRegionOf, coveredRegion, regionOfResource } from "../region";
import { T } from "../resourceTypes";

/**
 * A region that is configured but lacks its app, its database member or its health check cannot
 * take traffic after a failover, yet the controller would count it as a target. Regions come from
 * the policy config (`regionctl validate` passes the stack's `regionctl:regions`); without it, from
 * the RegionStack components, which the program names after their region.
 */
export const stackRegionCoverage: StackValidationPolicy = {
  name: "stack-region-coverage",
  description:
    "Every configured region has an application Deployment, an Aurora cluster member and a Route 53 health check.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      regions: { type: "array", items: { type: "string" }, description: "The stack's configured regions." },
    },
  },
  validateStack: (args, report) => {
    const regionStacks = args.resources.filter((r) => r.type === T.regionStack);
    const regions = args.getConfig<{ regions?: string[] }>().regions ?? configuredRegions(args.resources);
    if (regions.length === 0) {
      report("no regions found: the stack has no RegionStack components and no regions are configured.");
      return;
    }
    const globals = args.resources.filter((r) => r.type === T.rdsGlobalCluster);
    for (const region of regions) {
      const anchor = regionStacks.find((r) => r.name === region)?.urn;
      const missing: string[] = [];
      if (!args.resources.some((r) => r.type === T.deployment && regionOfResource(r) === region)) {
        missing.push("an application Deployment");
      }
      const clusters = args.resources.filter(
        (r) => r.type === T.rdsCluster && regionOfResource(r) === region,
      );
      if (clusters.length === 0) {
        missing.push("an Aurora cluster");
      } else if (globals.length > 0 && !clusters.some(isGlobalMember)) {
        missing.push("an Aurora cluster that is a member of the global cluster");
      }
      if (!args.resources.some((r) => r.type === T.route53HealthCheck && coveredRegion(r) === region)) {
        missing.push("a Route 53 health check");
      }
      if (missing.length > 0) report(`region ${region} is missing ${missing.join(", ")}.`, anchor);
    }
  },
};

function configuredRegions(resources: readonly PolicyResource[]): string[] {
  const named = resources.filter((r) => r.type === T.regionStack).map((r) => r.name);
  if (named.length > 0) return named;
  const providers = resources.filter((r) => r.type === T.awsProvider && !r.name.startsWith("default"));
  return [...new Set(providers.map((p) => awsRegionOf(p.props)).filter((r): r is string => r !== undefined))];
}

function isGlobalMember(cluster: PolicyResource): boolean {
  return (
    (cluster.propertyDependencies.globalClusterIdentifier ?? []).length > 0 ||
    knownString(() => cluster.props.globalClusterIdentifier) !== undefined
  );
}
