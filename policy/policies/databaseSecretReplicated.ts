import type { StackValidationPolicy } from "@pulumi/policy";
import { databaseSecrets, replicasOf } from "../databaseSecrets";
import { awsRegionOf } from "../region";
import { T } from "../resourceTypes";

/**
 * Apps and sync jobs read the database secret in their own region, so that it keeps working while
 * the secret's home region is down. A region without a replica reads across regions at best, and
 * not at all during the outage a failover is for.
 */
export const databaseSecretReplicated: StackValidationPolicy = {
  name: "database-secret-replicated",
  description: "The database secret is in every region of the stack: its home region or a replica.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    const regions = args.resources.filter((r) => r.type === T.regionStack).map((r) => r.name);
    if (regions.length === 0) return;
    for (const secret of databaseSecrets(args.resources)) {
      const replicas = replicasOf(secret);
      if (replicas === undefined) continue; // computed later in a preview
      const home = awsRegionOf(secret.props, secret.provider);
      const present = new Set([
        ...(home === undefined ? [] : [home]),
        ...replicas.flatMap((r) => (typeof r.region === "string" ? [r.region] : [])),
      ]);
      const missing = regions.filter((r) => !present.has(r)).sort();
      if (missing.length > 0) {
        report(
          `secret ${secret.name} has no replica in ${missing.join(", ")}; apps there cannot read it while ${home ?? "its home region"} is down.`,
          secret.urn,
        );
      }
    }
  },
};
