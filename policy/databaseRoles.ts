import type { PolicyResource } from "@pulumi/policy";
import { knownString, prop } from "./known";
import { T } from "./resourceTypes";

/** Properties only the writer (primary) cluster of a global database sets: its credentials. */
const WRITER_ONLY = ["masterUsername", "masterPassword", "masterPasswordWo", "manageMasterUserPassword"];

/**
 * Whether an Aurora cluster is its global database's writer. A `role` tag decides when present;
 * otherwise the writer is the member that carries the master credentials, which AWS refuses on
 * secondary clusters, and that does not replicate from another cluster.
 */
export function isWriterCluster(cluster: PolicyResource): boolean {
  const role = roleTagOf(cluster);
  if (role !== undefined) return role === "writer" || role === "primary";
  const replica = prop(cluster.props, "replicationSourceIdentifier");
  if (replica.state === "pending" || (replica.state === "known" && replica.value !== "")) return false;
  return WRITER_ONLY.some((key) => {
    const p = prop(cluster.props, key);
    return p.state === "pending" || (p.state === "known" && p.value !== false && p.value !== "");
  });
}

/**
 * The cluster's `role` tag. The program sets it from the plan, so unlike the credentials (ignored
 * after creation, so the engine shows their creation-time values) it names the current writer.
 */
export function roleTagOf(cluster: PolicyResource): string | undefined {
  return knownString(() => (cluster.props.tags as Record<string, unknown> | undefined)?.role);
}

/** The clusters of one global database, keyed by the global cluster (or one group without any). */
export function clusterGroups(
  resources: readonly PolicyResource[],
): { name: string; urn?: string; members: PolicyResource[] }[] {
  const clusters = resources.filter((r) => r.type === T.rdsCluster);
  const globals = resources.filter((r) => r.type === T.rdsGlobalCluster);
  if (globals.length === 0)
    return clusters.length === 0 ? [] : [{ name: "(no global cluster)", members: clusters }];
  return globals.map((g) => {
    const id = knownString(() => g.props.globalClusterIdentifier) ?? g.name;
    const members = clusters.filter(
      (c) =>
        (c.propertyDependencies.globalClusterIdentifier ?? []).some((d) => d.urn === g.urn) ||
        knownString(() => c.props.globalClusterIdentifier) === id,
    );
    return { name: id, urn: g.urn, members };
  });
}
