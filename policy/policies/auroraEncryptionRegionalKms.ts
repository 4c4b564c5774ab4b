import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { knownString, prop } from "../known";
import { awsRegionOf, regionFromArn } from "../region";
import { T } from "../resourceTypes";

const KEY_TYPES: readonly string[] = [T.kmsKey, T.kmsReplicaKey];

/**
 * Aurora storage is encrypted with a customer managed KMS key that lives in the cluster's own
 * region. A secondary cluster of a global database cannot use another region's key, and the
 * AWS-managed `aws/rds` key cannot be shared, rotated on our schedule or used across accounts.
 *
 * The resource check reads the key ARN. During a preview of new keys the ARN is not known yet, so
 * the stack check follows the `kmsKeyId` dependency to the key resource and compares its region.
 */
export const auroraEncryptionRegionalKms: ResourceValidationPolicy & StackValidationPolicy = {
  name: "aurora-encryption-regional-kms",
  description: "Aurora clusters encrypt storage with a customer managed KMS key in the cluster's own region.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create an aws.kms.Key with the cluster's regional provider and pass its ARN as kmsKeyId, with storageEncrypted: true.",
  validateResource: (args, report) => {
    if (args.type !== T.rdsCluster) return;
    const props = args.props;
    const encrypted = prop(props, "storageEncrypted");
    if (encrypted.state === "absent" || (encrypted.state === "known" && encrypted.value !== true)) {
      report("storage is not encrypted: set storageEncrypted: true.");
    }
    const key = prop(props, "kmsKeyId");
    if (key.state === "absent" || (key.state === "known" && key.value === "")) {
      report(
        "no customer managed KMS key: set kmsKeyId to a key in the cluster's region (not the aws/rds default).",
      );
      return;
    }
    const keyId = knownString(() => props.kmsKeyId);
    if (keyId === undefined) return; // not known before the key exists; the stack check follows the dependency
    if (/(^|:)alias\/aws\//.test(keyId)) {
      report(`kmsKeyId ${keyId} is an AWS managed key; use a customer managed key.`);
      return;
    }
    const keyRegion = regionFromArn(keyId);
    const clusterRegion = awsRegionOf(props, args.provider);
    if (keyRegion !== undefined && clusterRegion !== undefined && keyRegion !== clusterRegion) {
      report(`the KMS key ${keyId} is in ${keyRegion} but the cluster is in ${clusterRegion}.`);
    }
  },
  validateStack: (args, report) => {
    for (const cluster of args.resources.filter((r) => r.type === T.rdsCluster)) {
      const keyId = knownString(() => cluster.props.kmsKeyId);
      if (keyId !== undefined && regionFromArn(keyId) !== undefined) continue; // the resource check decided
      const clusterRegion = awsRegionOf(cluster.props, cluster.provider);
      for (const key of keysBehind(cluster)) {
        const keyRegion = awsRegionOf(key.props, key.provider);
        if (keyRegion !== undefined && clusterRegion !== undefined && keyRegion !== clusterRegion) {
          report(
            `cluster ${cluster.name} (${clusterRegion}) uses KMS key ${key.name}, which is created in ${keyRegion}.`,
            cluster.urn,
          );
        }
      }
    }
  },
};

function keysBehind(cluster: PolicyResource): PolicyResource[] {
  return (cluster.propertyDependencies.kmsKeyId ?? []).filter((d) => KEY_TYPES.includes(d.type));
}
