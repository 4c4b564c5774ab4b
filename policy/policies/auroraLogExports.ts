import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, prop } from "../known";
import { T } from "../resourceTypes";

/** The log each engine cannot be diagnosed without. */
const REQUIRED_LOG: Record<string, string> = {
  "aurora-postgresql": "postgresql",
  "aurora-mysql": "error",
};

/**
 * Without exports the database's logs stay on the instances and vanish with them, which is exactly
 * when a failover needs explaining (AWS Config `rds-aurora-mysql-audit-logging-enabled`,
 * `rds-logging-enabled`).
 */
export const auroraLogExports: ResourceValidationPolicy = {
  name: "aurora-log-exports",
  description: "Aurora clusters export their engine log to CloudWatch Logs.",
  enforcementLevel: "advisory",
  severity: "low",
  validateResource: (args, report) => {
    if (args.type !== T.rdsCluster) return;
    const exports = prop(args.props, "enabledCloudwatchLogsExports");
    if (exports.state === "pending") return;
    const engine = known(() => args.props.engine);
    const required = typeof engine === "string" ? REQUIRED_LOG[engine] : undefined;
    const logs =
      exports.state === "known" && Array.isArray(exports.value) ? (exports.value as unknown[]) : [];
    if (logs.length === 0) {
      report(
        `enabledCloudwatchLogsExports is empty; export at least ${required ?? "the engine's log"} to CloudWatch Logs.`,
      );
    } else if (required !== undefined && !logs.includes(required)) {
      report(`enabledCloudwatchLogsExports lacks "${required}", the ${String(engine)} engine log.`);
    }
  },
};
