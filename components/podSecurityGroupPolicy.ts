import type * as pulumi from "@pulumi/pulumi";
import { APP_NAME, NAME_LABEL } from "./appSpec";
import { SYNC_NAME } from "./syncJobSpec";

/**
 * The SecurityGroupPolicy (the VPC resource controller's `vpcresources.k8s.aws` CRD) that gives the
 * app's and the sync job's pods their own network interfaces in the given security groups. A pod
 * gets these groups instead of its node's, so the list must keep whatever the node groups gave it
 * (cluster DNS, the load balancer's traffic): the cluster security group goes in beside the
 * database clients group.
 */

export const SECURITY_GROUP_POLICY_API_VERSION = "vpcresources.k8s.aws/v1beta1";
export const SECURITY_GROUP_POLICY_KIND = "SecurityGroupPolicy";
export const SECURITY_GROUP_POLICY_NAME = "database-clients";

export interface SecurityGroupPolicySpec {
  readonly podSelector: {
    readonly matchExpressions: { key: string; operator: "In"; values: string[] }[];
  };
  readonly securityGroups: { readonly groupIds: pulumi.Input<string>[] };
}

/** Pods labelled as the app or the sync job, of any colour or target region. */
export function securityGroupPolicySpec(groupIds: readonly pulumi.Input<string>[]): SecurityGroupPolicySpec {
  if (groupIds.length === 0) {
    throw new Error("a SecurityGroupPolicy needs at least one security group");
  }
  return {
    podSelector: { matchExpressions: [{ key: NAME_LABEL, operator: "In", values: [APP_NAME, SYNC_NAME] }] },
    securityGroups: { groupIds: [...groupIds] },
  };
}
