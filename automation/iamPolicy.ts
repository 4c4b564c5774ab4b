import type { EnvironmentConfig } from "../components/config";
import { ARC_ROUTING_CONTROL_ACTIONS } from "./adapters/aws/arcRoutingControls";
import { type AwsActionDeclaration, declareActions, iamActionNames } from "./adapters/aws/awsActions";
import { CLOUDWATCH_LAG_ACTIONS } from "./adapters/aws/cloudwatchLag";
import { RDS_GLOBAL_DATABASE_ACTIONS } from "./adapters/aws/rdsGlobalDatabase";
import { RDS_MEMBER_CLUSTER_ACTIONS, RDS_RPO_GUARD_ACTIONS } from "./adapters/aws/rdsMemberClusters";
import {
  SECRETS_MANAGER_DATABASE_SECRET_ACTIONS,
  SECRETS_MANAGER_KMS_ACTIONS,
} from "./adapters/aws/secretsManagerDatabaseSecret";
import { ROUTE53_HEALTH_ACTIONS } from "./adapters/aws/route53HealthChecks";
import { ROUTE53_RECORD_ACTIONS } from "./adapters/aws/route53Records";
import { DYNAMODB_STATE_STORE_ACTIONS } from "./adapters/state/dynamoDbStateStore";
import {
  CONTROLLER_ADAPTERS,
  type ControllerActions,
  type ControllerAdapter,
  controllerPolicy,
  type PolicyDocument,
} from "../components/controllerPolicy";

export { policyActions, type PolicyDocument } from "../components/controllerPolicy";

/**
 * The least-privilege IAM policy for the controller (`regionctl`): the document is built in
 * components/controllerPolicy.ts (the program attaches the same one to the watchers' role); this
 * module collects the actions each adapter declares next to its calls.
 */

/** The CloudWatch error-rate source of promotions' canary analysis (adapters/metrics). */
export const CLOUDWATCH_METRICS_ACTIONS = declareActions("cloudwatch-metrics", "cloudwatch", [
  "GetMetricData",
]);
/** The S3 state store with its lease object (adapters/state): conditional puts need only PutObject. */
export const S3_STATE_STORE_ACTIONS = declareActions("s3-state-store", "s3", [
  "GetObject",
  "PutObject",
  "DeleteObject",
]);

/**
 * Not a call: S3 consults s3:ListBucket on the bucket to tell a missing object (404) from a
 * forbidden one (403). The lease object is normally missing, so without it every operation fails.
 */
export const S3_STATE_STORE_LIST_ACTIONS = declareActions("s3-state-store-list", "s3", ["ListBucket"]);

/** Every adapter's declaration; a test drives each adapter through a mocked SDK against this list. */
export const CONTROLLER_AWS_ACTIONS: readonly AwsActionDeclaration[] = [
  ROUTE53_HEALTH_ACTIONS,
  ROUTE53_RECORD_ACTIONS,
  RDS_GLOBAL_DATABASE_ACTIONS,
  RDS_MEMBER_CLUSTER_ACTIONS,
  RDS_RPO_GUARD_ACTIONS,
  SECRETS_MANAGER_DATABASE_SECRET_ACTIONS,
  CLOUDWATCH_LAG_ACTIONS,
  CLOUDWATCH_METRICS_ACTIONS,
  S3_STATE_STORE_ACTIONS,
  DYNAMODB_STATE_STORE_ACTIONS,
  ARC_ROUTING_CONTROL_ACTIONS,
];

/** The adapters' declarations, keyed as the policy builder names them. */
export function controllerActionTable(declarations: readonly AwsActionDeclaration[]): ControllerActions {
  const table = Object.fromEntries(CONTROLLER_ADAPTERS.map((a) => [a, [] as string[]])) as Record<
    ControllerAdapter,
    string[]
  >;
  for (const d of declarations) {
    if (!(CONTROLLER_ADAPTERS as readonly string[]).includes(d.adapter)) {
      throw new Error(`adapter ${d.adapter} declares actions the policy builder does not place`);
    }
    table[d.adapter as ControllerAdapter] = iamActionNames([d]);
  }
  return table;
}

/** Every declaration the policy places, the S3 listing permission included. */
export const POLICY_DECLARATIONS: readonly AwsActionDeclaration[] = [
  ...CONTROLLER_AWS_ACTIONS,
  SECRETS_MANAGER_KMS_ACTIONS,
  S3_STATE_STORE_LIST_ACTIONS,
];

/** The policy for an environment (resources scoped to it) or, without one, for any (`*`). */
export function iamPolicy(config?: EnvironmentConfig): PolicyDocument {
  return controllerPolicy(config, controllerActionTable(POLICY_DECLARATIONS));
}
