import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

const DEFAULT_MIN_DAYS = 7;
/** What RDS keeps when backupRetentionPeriod is not set. */
const AWS_DEFAULT_DAYS = 1;

/** Aurora clusters keep automated backups long enough to restore from last week's mistake. */
export const auroraBackupRetention: ResourceValidationPolicy = {
  name: "aurora-backup-retention",
  description: "Aurora clusters keep automated backups for at least 7 days.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      minDays: { type: "integer", minimum: 1, maximum: 35, default: DEFAULT_MIN_DAYS },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== T.rdsCluster) return;
    const minDays = args.getConfig<{ minDays?: number }>().minDays ?? DEFAULT_MIN_DAYS;
    const retention = prop(args.props, "backupRetentionPeriod");
    if (retention.state === "pending") return;
    const days = retention.state === "known" ? Number(retention.value) : AWS_DEFAULT_DAYS;
    if (!(days >= minDays)) {
      const what =
        retention.state === "absent" ? `is not set (RDS keeps ${AWS_DEFAULT_DAYS} day)` : `is ${days} days`;
      report(`backupRetentionPeriod ${what}; at least ${minDays} days are required.`);
    }
  },
};
