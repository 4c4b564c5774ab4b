import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { clusterGroups, isWriterCluster } from "../databaseRoles";
import { knownString } from "../known";
import { coveredRegion, regionOfResource } from "../region";
import { T } from "../resourceTypes";
import { failoverRoleOf, routingKindOf } from "../routing";

/**
 * With failover routing Route 53 answers with the PRIMARY record while it is healthy: two PRIMARY
 * records make the answer arbitrary, none leaves only the SECONDARY, and a PRIMARY that is not the
 * writer region sends every write across a region boundary.
 */
export const stackFailoverPrimary: StackValidationPolicy = {
  name: "stack-failover-primary",
  description:
    "With failover routing, each record name has exactly one PRIMARY record, in the writer region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      routing: {
        type: "string",
        enum: ["failover", "latency", "weighted"],
        description: "The stack's DNS routing.",
      },
      writer: { type: "string", description: "The region that should hold the writer." },
    },
  },
  validateStack: (args, report) => {
    const config = args.getConfig<{ routing?: string; writer?: string }>();
    const records = args.resources.filter((r) => r.type === T.route53Record);
    const failoverRecords = records.filter((r) => routingKindOf(r.props) === "failover");
    const routing = config.routing ?? (failoverRecords.length > 0 ? "failover" : undefined);
    if (routing !== "failover") args.notApplicable(`routing is ${routing ?? "not failover"}`);
    if (failoverRecords.length === 0) {
      report("routing is failover but the stack has no failover records, so no PRIMARY record.");
      return;
    }
    const writer = config.writer ?? writerRegion(args.resources);
    for (const [name, group] of groupByName(failoverRecords)) {
      const primaries = group.filter((r) => failoverRoleOf(r.props) === "PRIMARY");
      if (primaries.length !== 1) {
        report(
          `${name} has ${primaries.length} PRIMARY failover records${primaries.length > 0 ? ` (${primaries.map((p) => p.name).join(", ")})` : ""}; exactly one is required.`,
          primaries[1]?.urn ?? group[0].urn,
        );
        continue;
      }
      const region = recordRegion(primaries[0]);
      if (writer !== undefined && region !== undefined && region !== writer) {
        report(
          `the PRIMARY record ${primaries[0].name} points at ${region} but the writer region is ${writer}.`,
          primaries[0].urn,
        );
      }
    }
  },
};

function groupByName(records: PolicyResource[]): Map<string, PolicyResource[]> {
  const groups = new Map<string, PolicyResource[]>();
  for (const r of records) {
    const name =
      `${knownString(() => r.props.name) ?? r.name} ${knownString(() => r.props.type) ?? ""}`.trim();
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return groups;
}

/**
 * The region a record sends clients to: from its own name or routing, else from the health check
 * that guards it (role-keyed records such as `dns-primary` carry no region of their own).
 */
function recordRegion(record: PolicyResource): string | undefined {
  const own = coveredRegion(record);
  if (own !== undefined) return own;
  const check = (record.propertyDependencies.healthCheckId ?? []).find(
    (d) => d.type === T.route53HealthCheck,
  );
  return check === undefined ? undefined : coveredRegion(check);
}

function writerRegion(resources: readonly PolicyResource[]): string | undefined {
  const writers = clusterGroups(resources).flatMap((g) => g.members.filter(isWriterCluster));
  return writers.length === 1 ? regionOfResource(writers[0]) : undefined;
}
