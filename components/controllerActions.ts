import type { ControllerActions } from "./controllerPolicy";

/**
 * The program's copy of the actions the controller's adapters declare next to their calls, so the
 * watchers' role gets the same policy `regionctl iam-policy` prints without the program importing
 * the controller. A test compares it with the adapters' declarations and fails on any difference.
 */
export const CONTROLLER_ACTIONS: ControllerActions = {
  "route53-health-checks": ["route53:GetHealthCheckStatus"],
  "route53-records": ["route53:ListResourceRecordSets"],
  "rds-global-database": [
    "rds:DescribeDBClusters",
    "rds:DescribeGlobalClusters",
    "rds:FailoverGlobalCluster",
    "rds:RemoveFromGlobalCluster",
    "rds:StopDBCluster",
    "rds:SwitchoverGlobalCluster",
  ],
  "rds-member-clusters": ["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
  "rds-rpo-guard": ["rds:DescribeDBClusterParameters", "rds:ModifyDBClusterParameterGroup"],
  "secrets-manager-database-secret": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
  "secrets-manager-kms": ["kms:Decrypt", "kms:GenerateDataKey"],
  "cloudwatch-lag": ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
  "cloudwatch-metrics": ["cloudwatch:GetMetricData"],
  "s3-state-store": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
  "s3-state-store-list": ["s3:ListBucket"],
  "dynamodb-state-store": [
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
  ],
  "arc-routing-controls": [
    "route53-recovery-cluster:GetRoutingControlState",
    "route53-recovery-cluster:UpdateRoutingControlStates",
  ],
};
