import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

const APPLIES_TO: readonly string[] = [T.rdsClusterInstance, T.rdsInstance];

/** Database instances are reachable only inside their VPC. */
export const auroraNoPublicInstances: ResourceValidationPolicy = {
  name: "aurora-no-public-instances",
  description: "Aurora and RDS instances are not publicly accessible.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, report) => {
    if (!APPLIES_TO.includes(args.type)) return;
    const publiclyAccessible = prop(args.props, "publiclyAccessible");
    if (publiclyAccessible.state === "known" && publiclyAccessible.value === true) {
      report("publiclyAccessible is true; database instances must stay private (publiclyAccessible: false).");
    }
  },
};
