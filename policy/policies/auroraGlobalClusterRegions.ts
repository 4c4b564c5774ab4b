import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knownString } from "../known";
import { awsRegionOf } from "../region";
import { T } from "../resourceTypes";

const DEFAULT_MIN_REGIONS = 2;

/**
 * A global database exists to survive the loss of a region, so it spans at least two; and Aurora
 * allows one cluster per region in a global cluster, so two members in one region is a mistake
 * that AWS would only reject halfway through an update.
 */
export const auroraGlobalClusterRegions: StackValidationPolicy = {
  name: "aurora-global-cluster-regions",
  description:
    "Each Aurora global cluster spans at least 2 regions, with at most one member cluster per region.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minRegions: { type: "integer", minimum: 2, maximum: 11, default: DEFAULT_MIN_REGIONS },
    },
  },
  validateStack: (args, report) => {
    const minRegions = args.getConfig<{ minRegions?: number }>().minRegions ?? DEFAULT_MIN_REGIONS;
    const clusters = args.resources.filter((r) => r.type === T.rdsCluster);
    for (const global of args.resources.filter((r) => r.type === T.rdsGlobalCluster)) {
      const id = knownString(() => global.props.globalClusterIdentifier) ?? global.name;
      const byRegion = new Map<string, PolicyResource[]>();
      for (const member of clusters.filter((c) => isMemberOf(c, global, id))) {
        const region = awsRegionOf(member.props, member.provider) ?? "(unknown region)";
        byRegion.set(region, [...(byRegion.get(region) ?? []), member]);
      }
      const regions = [...byRegion.keys()].sort();
      if (regions.length < minRegions) {
        report(
          `global cluster ${id} spans ${regions.length} region(s)${regions.length > 0 ? ` (${regions.join(", ")})` : ""}; at least ${minRegions} are required.`,
          global.urn,
        );
      }
      for (const [region, members] of byRegion) {
        if (members.length > 1) {
          report(
            `global cluster ${id} has ${members.length} members in ${region} (${members.map((m) => m.name).join(", ")}); at most one per region.`,
            global.urn,
          );
        }
      }
    }
  },
};

function isMemberOf(cluster: PolicyResource, global: PolicyResource, id: string): boolean {
  if ((cluster.propertyDependencies.globalClusterIdentifier ?? []).some((d) => d.urn === global.urn))
    return true;
  return knownString(() => cluster.props.globalClusterIdentifier) === id;
}
