import type { StackValidationPolicy } from "@pulumi/policy";
import { databaseSecrets, replicasOf } from "../databaseSecrets";
import { prop } from "../known";

/** The AWS managed key: anyone in the account who may use Secrets Manager may decrypt with it. */
const AWS_MANAGED_KEY = /^(alias\/)?aws\/secretsmanager$|:alias\/aws\/secretsmanager$/;

/**
 * The database secret and each of its replicas are encrypted with a customer-managed key (AWS
 * Config `secretsmanager-using-cmk`): only a key policy the team controls decides who can read the
 * credentials, and the pods' roles are granted exactly their region's key.
 */
export const databaseSecretCmk: StackValidationPolicy = {
  name: "database-secret-cmk",
  description: "The database secret and every replica of it use a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    for (const secret of databaseSecrets(args.resources)) {
      const key = prop(secret.props, "kmsKeyId");
      if (key.state === "absent" || (key.state === "known" && !isCustomerKey(key.value))) {
        report(
          `secret ${secret.name} uses the AWS managed key; set kmsKeyId to a customer-managed key.`,
          secret.urn,
        );
      }
      for (const [i, replica] of (replicasOf(secret) ?? []).entries()) {
        const replicaKey = prop(replica as Record<string, unknown>, "kmsKeyId");
        if (replicaKey.state === "pending") continue;
        if (replicaKey.state === "absent" || !isCustomerKey(replicaKey.value)) {
          const region = typeof replica.region === "string" ? replica.region : `#${i}`;
          report(
            `secret ${secret.name}: the replica in ${region} uses the AWS managed key; give it that region's customer-managed key.`,
            secret.urn,
          );
        }
      }
    }
  },
};

function isCustomerKey(value: unknown): boolean {
  return typeof value === "string" && value !== "" && !AWS_MANAGED_KEY.test(value);
}
