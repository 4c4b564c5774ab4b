import type { StackValidationPolicy } from "@pulumi/policy";
import { clusterGroups, isWriterCluster } from "../databaseRoles";
import { regionOfResource } from "../region";

/**
 * Two writers split the data; none leaves the application read-only. Each global database has
 * exactly one writer cluster, and when the expected writer region is known (`regionctl validate`
 * passes the operational state's writer) it is that one.
 */
export const stackSingleWriter: StackValidationPolicy = {
  name: "stack-single-writer",
  description: "Each Aurora global database has exactly one writer cluster, in the expected writer region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      writer: { type: "string", description: "The region that should hold the writer." },
    },
  },
  validateStack: (args, report) => {
    const expected = args.getConfig<{ writer?: string }>().writer;
    for (const group of clusterGroups(args.resources)) {
      const writers = group.members.filter(isWriterCluster);
      const describe = writers
        .map((w) => `${w.name} (${regionOfResource(w) ?? "unknown region"})`)
        .join(", ");
      if (writers.length === 0) {
        report(`global database ${group.name} has no writer cluster.`, group.urn);
      } else if (writers.length > 1) {
        report(
          `global database ${group.name} has ${writers.length} writer clusters: ${describe}; exactly one is allowed.`,
          group.urn,
        );
      } else if (expected !== undefined) {
        const region = regionOfResource(writers[0]);
        if (region !== undefined && region !== expected) {
          report(`the writer cluster ${describe} is not in the writer region ${expected}.`, writers[0].urn);
        }
      }
    }
  },
};
