import { databaseSecretName, rpoParameterGroupPrefix } from "./auroraSettings";
import type { EnvironmentConfig } from "./config";
import { partitionOf } from "../state/awsPartition";
import { defaultStateKey } from "../state/s3Object";

/**
 * The least-privilege IAM policy of the controller (`regionctl`), as data: exactly the AWS API
 * actions its adapters call, scoped to the environment's resources when a config is given. Pure,
 * so `regionctl iam-policy` prints it and the program attaches it to the watchers' role from the
 * same code. Stack updates run the Pulumi program, whose provider needs its own, much wider,
 * deployment role: not this one.
 */

/** The controller's adapters, each with the IAM actions (`service:Action`) it sends. */
export const CONTROLLER_ADAPTERS = [
  "route53-health-checks",
  "route53-records",
  "rds-global-database",
  "rds-member-clusters",
  "rds-rpo-guard",
  "secrets-manager-database-secret",
  "secrets-manager-kms",
  "cloudwatch-lag",
  "cloudwatch-metrics",
  "s3-state-store",
  "s3-state-store-list",
  "dynamodb-state-store",
  "arc-routing-controls",
] as const;

export type ControllerAdapter = (typeof CONTROLLER_ADAPTERS)[number];
export type ControllerActions = Readonly<Record<ControllerAdapter, readonly string[]>>;

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

/**
 * The policy. With a config, resources are the environment's own: its hosted zone, its global
 * cluster and each region's cluster (named as the topology names them), its state object or table.
 * Account ids are wildcards so the policy is valid in whichever account the stack runs. Without a
 * config, every resource is `*` (the same actions).
 */
export function controllerPolicy(
  config: EnvironmentConfig | undefined,
  actions: ControllerActions,
): PolicyDocument {
  const statement = (sid: string, adapters: readonly ControllerAdapter[], resource: string | string[]) => ({
    Sid: sid,
    Effect: "Allow" as const,
    Action: [...new Set(adapters.flatMap((a) => actions[a]))].sort(),
    Resource: resource,
  });
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
      ["route53-health-checks"],
      any ? "*" : `${arn}:route53:::healthcheck/*`,
    ),
    statement(
      "Route53ReadRecords",
      ["route53-records"],
      any ? "*" : `${arn}:route53:::hostedzone/${config.dns.zoneId}`,
    ),
    statement(
      "AuroraGlobalDatabase",
      ["rds-global-database"],
      any ? "*" : [`${arn}:rds::*:global-cluster:${env}-global`, ...clusters],
    ),
    // Password rotation: the writer's cluster, which may be any member after a failover.
    statement("AuroraMemberClusters", ["rds-member-clusters"], any ? "*" : clusters),
    ...databaseSecretStatements(config, arn, statement),
    // CloudWatch GetMetricData has no resource-level permissions.
    statement("CloudWatchReadMetrics", ["cloudwatch-lag", "cloudwatch-metrics"], "*"),
  ];
  if (any || (config.database.engine === "aurora-postgresql" && config.database.rpoSeconds !== undefined)) {
    // The managed-RPO guard, relaxed on a writer left without a reachable secondary and restored
    // after: only the parameter groups the program names for it.
    statements.push(
      statement(
        "AuroraRpoGuard",
        ["rds-rpo-guard"],
        any ? "*" : regions.map((r) => `${arn}:rds:${r}:*:cluster-pg:${rpoParameterGroupPrefix(env, r)}*`),
      ),
    );
  }
  if (any || config.dns.control === "arc") {
    // Routing control ids are generated when the stack creates them; the panel's id too.
    statements.push(
      statement(
        "ArcRoutingControls",
        ["arc-routing-controls"],
        any ? "*" : `${arn}:route53-recovery-control::*:controlpanel/*/routingcontrol/*`,
      ),
    );
  }
  if (any) {
    statements.push(statement("OperationalStateS3", ["s3-state-store"], "*"));
    statements.push(statement("OperationalStateS3List", ["s3-state-store-list"], "*"));
    statements.push(statement("OperationalStateDynamoDb", ["dynamodb-state-store"], "*"));
  } else if (config.stateStore.kind === "dynamodb") {
    // The same table name in every replica region; the witness holds no readable data.
    const table = config.stateStore.table;
    statements.push(
      statement(
        "OperationalStateDynamoDb",
        ["dynamodb-state-store"],
        config.stateStore.regions.map((r) => `${arn}:dynamodb:${r}:*:table/${table}`),
      ),
    );
  } else if (config.stateStore.kind === "s3") {
    const { bucket } = config.stateStore;
    const key = config.stateStore.key ?? defaultStateKey(env);
    // Beside the state: the watcher replicas' leadership lease and one vantage report per replica.
    const voters =
      config.controlPlane.watchers.length > 0
        ? config.controlPlane.watchers
        : config.regions.map((r) => r.region);
    const keys = [
      key,
      `${key}.lease`,
      `${key}-leader.lease`,
      ...voters.map((voter) => `${key}-vantage/${voter}.json`),
    ];
    statements.push(
      statement(
        "OperationalStateS3",
        ["s3-state-store"],
        keys.map((k) => `${arn}:s3:::${bucket}/${k}`),
      ),
      {
        ...statement(
          "OperationalStateS3List",
          ["s3-state-store-list"],
          `${arn}:s3:::${config.stateStore.bucket}`,
        ),
        Condition: { StringEquals: { "s3:prefix": keys } },
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
function databaseSecretStatements(
  config: EnvironmentConfig | undefined,
  arn: string,
  statement: (
    sid: string,
    adapters: readonly ControllerAdapter[],
    resource: string | string[],
  ) => PolicyStatement,
): PolicyStatement[] {
  if (config === undefined) {
    return [
      statement("DatabaseSecret", ["secrets-manager-database-secret"], "*"),
      statement("DatabaseSecretKey", ["secrets-manager-kms"], "*"),
    ];
  }
  const home = config.awsRegion ?? config.writer;
  return [
    statement(
      "DatabaseSecret",
      ["secrets-manager-database-secret"],
      `${arn}:secretsmanager:${home}:*:secret:${databaseSecretName(config.environment)}-??????`,
    ),
    {
      ...statement("DatabaseSecretKey", ["secrets-manager-kms"], `${arn}:kms:${home}:*:key/*`),
      Condition: { StringEquals: { "kms:ViaService": [`secretsmanager.${home}.amazonaws.com`] } },
    },
  ];
}

/** Every action a policy allows, sorted. */
export function policyActions(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
}
