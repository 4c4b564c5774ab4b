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
import { databaseSecretName, rpoParameterGroupPrefix } from "../components/auroraSettings";
import { ROUTE53_HEALTH_ACTIONS } from "./adapters/aws/route53HealthChecks";
import { ROUTE53_RECORD_ACTIONS } from "./adapters/aws/route53Records";
import { DYNAMODB_STATE_STORE_ACTIONS } from "./adapters/state/dynamoDbStateStore";
import { partitionOf } from "../state/awsPartition";
import { defaultStateKey } from "../state/s3Object";

/**
 * The least-privilege IAM policy for the controller (`regionctl`): exactly the AWS API actions its
 * adapters call, scoped to the environment's resources when a config is given. Stack updates run
 * the Pulumi program, whose provider needs its own, much wider, deployment role: not this one.
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

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

function statement(
  sid: string,
  declarations: readonly AwsActionDeclaration[],
  resource: string | string[],
): PolicyStatement {
  return { Sid: sid, Effect: "Allow", Action: iamActionNames(declarations), Resource: resource };
}

/**
 * The policy. With a config, resources are the environment's own: its hosted zone, its global
 * cluster and each region's cluster (named as the topology names them), its state object or table. Account
 * ids are wildcards so the policy is valid in whichever account the stack runs. Without a config,
 * every resource is `*` (the same actions).
 */
export function iamPolicy(config?: EnvironmentConfig): PolicyDocument {
  const any = config === undefined;
  const env = config?.environment ?? "";
  const regions = config?.regions.map((r) => r.region) ?? [];
  const arn = `arn:${partitionOf(regions)}`;
  const clusters = regions.map((r) => `${arn}:rds:${r}:*:cluster:${env}-${r}`);
  const statements: PolicyStatement[] = [
    // GetHealthCheckStatus takes no resource-level condition narrower than the health check itself,
    // and the ids are only known once the stack has made them.
    statement(
      "Route53HealthCheckStatus",
      [ROUTE53_HEALTH_ACTIONS],
      any ? "*" : `${arn}:route53:::healthcheck/*`,
    ),
    statement(
      "Route53ReadRecords",
      [ROUTE53_RECORD_ACTIONS],
      any ? "*" : `${arn}:route53:::hostedzone/${config.dns.zoneId}`,
    ),
    statement(
      "AuroraGlobalDatabase",
      [RDS_GLOBAL_DATABASE_ACTIONS],
      any ? "*" : [`${arn}:rds::*:global-cluster:${env}-global`, ...clusters],
    ),
    // Password rotation: the writer's cluster, which may be any member after a failover.
    statement("AuroraMemberClusters", [RDS_MEMBER_CLUSTER_ACTIONS], any ? "*" : clusters),
    ...databaseSecretStatements(config, arn),
    // CloudWatch GetMetricData has no resource-level permissions.
    statement("CloudWatchReadMetrics", [CLOUDWATCH_LAG_ACTIONS, CLOUDWATCH_METRICS_ACTIONS], "*"),
  ];
  if (any || (config.database.engine === "aurora-postgresql" && config.database.rpoSeconds !== undefined)) {
    // The managed-RPO guard, relaxed on a writer left without a reachable secondary and restored
    // after: only the parameter groups the program names for it.
    statements.push(
      statement(
        "AuroraRpoGuard",
        [RDS_RPO_GUARD_ACTIONS],
        any ? "*" : regions.map((r) => `${arn}:rds:${r}:*:cluster-pg:${rpoParameterGroupPrefix(env, r)}*`),
      ),
    );
  }
  if (any || config.dns.control === "arc") {
    // Routing control ids are generated when the stack creates them; the panel's id too.
    statements.push(
      statement(
        "ArcRoutingControls",
        [ARC_ROUTING_CONTROL_ACTIONS],
        any ? "*" : `${arn}:route53-recovery-control::*:controlpanel/*/routingcontrol/*`,
      ),
    );
  }
  if (any) {
    statements.push(statement("OperationalStateS3", [S3_STATE_STORE_ACTIONS], "*"));
    statements.push(statement("OperationalStateS3List", [S3_STATE_STORE_LIST_ACTIONS], "*"));
    statements.push(statement("OperationalStateDynamoDb", [DYNAMODB_STATE_STORE_ACTIONS], "*"));
  } else if (config.stateStore.kind === "dynamodb") {
    // The same table name in every replica region; the witness holds no readable data.
    const table = config.stateStore.table;
    statements.push(
      statement(
        "OperationalStateDynamoDb",
        [DYNAMODB_STATE_STORE_ACTIONS],
        config.stateStore.regions.map((r) => `${arn}:dynamodb:${r}:*:table/${table}`),
      ),
    );
  } else if (config.stateStore.kind === "s3") {
    const key = config.stateStore.key ?? defaultStateKey(env);
    statements.push(
      statement(
        "OperationalStateS3",
        [S3_STATE_STORE_ACTIONS],
        [
          `${arn}:s3:::${config.stateStore.bucket}/${key}`,
          `${arn}:s3:::${config.stateStore.bucket}/${key}.lease`,
        ],
      ),
      {
        ...statement(
          "OperationalStateS3List",
          [S3_STATE_STORE_LIST_ACTIONS],
          `${arn}:s3:::${config.stateStore.bucket}`,
        ),
        Condition: { StringEquals: { "s3:prefix": [key, `${key}.lease`] } },
      },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The database secret, written only in its home region (the global provider's; replicas follow).
 * Its ARN ends in six random characters. Secrets Manager uses the secret's customer-managed key on
 * the caller's behalf, so the caller needs that key too, but only through Secrets Manager.
 */
function databaseSecretStatements(config: EnvironmentConfig | undefined, arn: string): PolicyStatement[] {
  if (config === undefined) {
    return [
      statement("DatabaseSecret", [SECRETS_MANAGER_DATABASE_SECRET_ACTIONS], "*"),
      statement("DatabaseSecretKey", [SECRETS_MANAGER_KMS_ACTIONS], "*"),
    ];
  }
  const home = config.awsRegion ?? config.writer;
  return [
    statement(
      "DatabaseSecret",
      [SECRETS_MANAGER_DATABASE_SECRET_ACTIONS],
      `${arn}:secretsmanager:${home}:*:secret:${databaseSecretName(config.environment)}-??????`,
    ),
    {
      ...statement("DatabaseSecretKey", [SECRETS_MANAGER_KMS_ACTIONS], `${arn}:kms:${home}:*:key/*`),
      Condition: { StringEquals: { "kms:ViaService": [`secretsmanager.${home}.amazonaws.com`] } },
    },
  ];
}

/** Every action a policy allows, sorted. */
export function policyActions(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
}
