import type { EnvironmentConfig } from "./config";

/**
 * Aurora settings derived from the environment config. Pure, so the rules are tested without mocks
 * and the controller can compute the same names without running the program.
 */

type DatabaseConfig = EnvironmentConfig["database"];
export type AuroraEngine = DatabaseConfig["engine"];

/** Aurora's master user. Only the primary cluster carries it; secondaries inherit it from the global cluster. */
export const MASTER_USERNAME = "regionctl_admin";

/**
 * Properties AWS rewrites on a member cluster during a switchover, a failover or an engine upgrade
 * of the global cluster. The next `pulumi up` must not try to write them back:
 * - `globalClusterIdentifier` / `replicationSourceIdentifier`: detaching and re-attaching members
 *   (failover with data loss, repair of a dropped secondary) changes them behind Pulumi's back;
 * - `masterUsername` / `masterPassword`: only the primary may carry credentials and the primary role
 *   moves with the operational state; sending them to a cluster that just became secondary fails;
 * - `engineVersion`: the global cluster upgrades every member itself.
 */
export const MEMBER_CLUSTER_IGNORE_CHANGES = [
  "globalClusterIdentifier",
  "replicationSourceIdentifier",
  "masterUsername",
  "masterPassword",
  "engineVersion",
] as const;

/** Instances follow their cluster's engine version, which the global cluster upgrades. */
export const MEMBER_INSTANCE_IGNORE_CHANGES = ["engineVersion"] as const;

export function enginePort(engine: AuroraEngine): number {
  return engine === "aurora-postgresql" ? 5432 : 3306;
}

/**
 * The cluster parameter group family: `aurora-postgresql16` for 16.4, `aurora-mysql8.0` for
 * 8.0.mysql_aurora.3.05.2. PostgreSQL 10 and later name families by major version alone.
 */
export function clusterParameterFamily(engine: AuroraEngine, engineVersion: string): string {
  const parts = engineVersion.split(".");
  const major = Number(parts[0]);
  if (parts.length < 2 || !Number.isInteger(major)) {
    throw new Error(`database.engineVersion: cannot derive a parameter group family from "${engineVersion}"`);
  }
  if (engine === "aurora-postgresql") {
    return major >= 10 ? `aurora-postgresql${major}` : `aurora-postgresql${parts[0]}.${parts[1]}`;
  }
  return `aurora-mysql${parts[0]}.${parts[1]}`;
}

export interface ClusterParameter {
  readonly name: string;
  readonly value: string;
  readonly applyMethod: "immediate" | "pending-reboot";
}

/**
 * The relaxed managed-RPO guard: the parameter's largest value (about 68 years), so no lag reaches
 * it. ModifyDBClusterParameterGroup has no "off"; a value this large is off in effect.
 */
export const RELAXED_RPO_GUARD_SECONDS = 2_147_483_647;

/**
 * The managed-RPO guard (`rds.global_db_rpo`): commits on the primary block while every secondary
 * lags past it. It exists only for aurora-postgresql; null means no parameter group is needed.
 * Every region gets it, because whichever region becomes primary must enforce it. A member whose
 * guard the controller relaxed (`relaxed`) renders the relaxed value, so an update or a refresh
 * never sets the configured one back on a writer that has no secondary to replicate to.
 */
export function rpoParameters(database: DatabaseConfig, relaxed = false): ClusterParameter[] | null {
  if (database.engine !== "aurora-postgresql" || database.rpoSeconds === undefined) {
    return null;
  }
  const value = relaxed ? RELAXED_RPO_GUARD_SECONDS : database.rpoSeconds;
  return [{ name: "rds.global_db_rpo", value: String(value), applyMethod: "immediate" }];
}

/**
 * The name prefix of a region's managed-RPO parameter group (the provider appends a unique
 * suffix), so the controller's permission to change the guard covers this environment's groups only.
 */
export function rpoParameterGroupPrefix(environment: string, region: string): string {
  return `${environment}-${region}-rpo-`;
}

/** Identifiers of a cluster's instances: `<cluster>-1` .. `<cluster>-n`. */
export function instanceIdentifiers(clusterIdentifier: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${clusterIdentifier}-${i + 1}`);
}

/** The Secrets Manager name apps and sync jobs read credentials from; stable across failovers. */
export function databaseSecretName(environment: string): string {
  return `regionctl/${environment}/database`;
}

/** KMS alias of each region's database key; the same name in every region, each its own key. */
export function databaseKeyAlias(environment: string): string {
  return `alias/regionctl/${environment}/database`;
}
