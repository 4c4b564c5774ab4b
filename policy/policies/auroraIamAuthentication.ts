import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

/**
 * IAM database authentication lets applications connect with short-lived tokens from their pod
 * identity instead of the shared master password (AWS Config `rds-cluster-iam-authentication-
 * enabled`). Advisory: applications may still use the password while they move to tokens.
 */
export const auroraIamAuthentication: ResourceValidationPolicy = {
  name: "aurora-iam-authentication",
  description: "Aurora clusters enable IAM database authentication.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateResource: (args, report) => {
    if (args.type !== T.rdsCluster) return;
    const enabled = prop(args.props, "iamDatabaseAuthenticationEnabled");
    if (enabled.state === "pending") return;
    if (enabled.state === "absent" || enabled.value !== true) {
      report("iamDatabaseAuthenticationEnabled is not true.");
    }
  },
};
