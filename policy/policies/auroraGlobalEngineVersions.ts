import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knownString } from "../known";
import { T } from "../resourceTypes";

/**
 * Aurora replicates storage between members of one engine version; a member declared on another
 * version cannot join, and a switchover to it is refused. (The global cluster upgrades its members
 * itself, so the members are compared with each other, not with a version the global cluster is
 * being moved to.)
 */
export const auroraGlobalEngineVersions: StackValidationPolicy = {
  name: "aurora-global-engine-versions",
  description:
    "Every member cluster of an Aurora global cluster declares the same engine and engine version.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    const clusters = args.resources.filter((r) => r.type === T.rdsCluster);
    for (const global of args.resources.filter((r) => r.type === T.rdsGlobalCluster)) {
      const id = knownString(() => global.props.globalClusterIdentifier) ?? global.name;
      const members = clusters.filter((c) => isMemberOf(c, global, id));
      const versions = new Map<string, string[]>();
      for (const m of members) {
        const engine = knownString(() => m.props.engine);
        const version = knownString(() => m.props.engineVersion);
        if (engine === undefined || version === undefined) continue;
        const key = `${engine} ${version}`;
        versions.set(key, [...(versions.get(key) ?? []), m.name]);
      }
      if (versions.size > 1) {
        const detail = [...versions]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([v, names]) => `${v} (${names.join(", ")})`)
          .join("; ");
        report(`global cluster ${id} has members on different engine versions: ${detail}.`, global.urn);
      }
    }
  },
};

function isMemberOf(cluster: PolicyResource, global: PolicyResource, id: string): boolean {
  if ((cluster.propertyDependencies.globalClusterIdentifier ?? []).some((d) => d.urn === global.urn)) {
    return true;
  }
  return knownString(() => cluster.props.globalClusterIdentifier) === id;
}
