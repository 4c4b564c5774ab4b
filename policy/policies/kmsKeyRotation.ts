import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

/**
 * Customer-managed keys rotate their key material yearly (AWS Config `cmk-backing-key-rotation-
 * enabled`); KMS does not rotate them unless asked.
 */
export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "Every customer-managed KMS key has automatic rotation enabled.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: (args, report) => {
    if (args.type !== T.kmsKey) return;
    const rotation = prop(args.props, "enableKeyRotation");
    if (rotation.state === "pending") return;
    if (rotation.state === "absent" || rotation.value !== true) {
      report("enableKeyRotation is not true; KMS rotates a customer-managed key only when asked.");
    }
  },
};
