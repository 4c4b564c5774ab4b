import type { ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { environmentOf } from "../environment";
import { prop } from "../known";
import { T } from "../resourceTypes";

const APPLIES_TO: readonly string[] = [T.rdsCluster, T.rdsGlobalCluster];
const DEFAULT_PROD_ENVIRONMENTS = ["prod"];

interface DeletionProtectionConfig {
  /** The environment, when the resources do not say (tags or identifiers). */
  environment?: string;
  /** Environments where a missing deletion protection blocks the deployment. */
  prodEnvironments?: string[];
}

const configSchema = {
  properties: {
    environment: {
      type: "string" as const,
      description: "Environment name, when resources do not carry it.",
    },
    prodEnvironments: {
      type: "array" as const,
      items: { type: "string" as const },
      default: DEFAULT_PROD_ENVIRONMENTS,
      description: "Environments where deletion protection is mandatory.",
    },
  },
};

/**
 * One rule with two enforcement tiers: a production database without deletion protection blocks
 * the deployment; elsewhere it is reported as advice, since dev environments are torn down on
 * purpose. The environment comes from the policy config, an `environment` tag, or the identifier
 * (`<environment>-<region>`); when none says, the resource is treated as production.
 */
export const auroraDeletionProtection: ResourceValidationPolicy = {
  name: "aurora-deletion-protection",
  description: "Aurora clusters and global clusters of production environments have deletion protection.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema,
  validateResource: (args, report) => check(args, report, true),
};

export const auroraDeletionProtectionNonProd: ResourceValidationPolicy = {
  name: "aurora-deletion-protection-nonprod",
  description:
    "Aurora clusters and global clusters of non-production environments should have deletion protection.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema,
  validateResource: (args, report) => check(args, report, false),
};

function check(args: ResourceValidationArgs, report: ReportViolation, prodTier: boolean): void {
  if (!APPLIES_TO.includes(args.type)) return;
  const config = args.getConfig<DeletionProtectionConfig>();
  const environment = environmentOf(args.props, config.environment);
  const prod =
    environment === undefined || (config.prodEnvironments ?? DEFAULT_PROD_ENVIRONMENTS).includes(environment);
  if (prod !== prodTier) {
    args.notApplicable(`environment ${environment ?? "(unknown)"} is ${prod ? "" : "not "}production`);
  }
  const setting = prop(args.props, "deletionProtection");
  if (setting.state === "pending" || (setting.state === "known" && setting.value === true)) return;
  report(
    `deletionProtection is not enabled (environment ${environment ?? "unknown, treated as production"}).`,
  );
}
