import type { PolicyResource } from "@pulumi/policy";
import { knownString, prop } from "./known";
import { T } from "./resourceTypes";

/** The name the program gives the database secret: `regionctl/<environment>/database`. */
const DATABASE_SECRET_NAME = /^regionctl\/[^/]+\/database$/;
/** Where database credentials come from; a secret whose value is built from them holds them. */
const CREDENTIAL_SOURCES: readonly string[] = [T.randomPassword, T.rdsGlobalCluster, T.rdsCluster];

/** Whether `resource` takes `property` from `target` (by dependency, or by naming its id or ARN). */
export function refersTo(resource: PolicyResource, property: string, target: PolicyResource): boolean {
  if ((resource.propertyDependencies[property] ?? []).some((d) => d.urn === target.urn)) return true;
  const value = knownString(() => resource.props[property]);
  if (value === undefined) return false;
  return value === knownString(() => target.props.arn) || value === knownString(() => target.props.id);
}

/**
 * The Secrets Manager secrets that hold the database's credentials: named as the program names
 * them, or given a value built from the master password or the global cluster.
 */
export function databaseSecrets(resources: readonly PolicyResource[]): PolicyResource[] {
  const versions = resources.filter((r) => r.type === T.secretVersion);
  return resources.filter((secret) => {
    if (secret.type !== T.secret) return false;
    const name = knownString(() => secret.props.name);
    if (name !== undefined && DATABASE_SECRET_NAME.test(name)) return true;
    return versions.some(
      (v) =>
        refersTo(v, "secretId", secret) &&
        (v.propertyDependencies.secretString ?? []).some((d) => CREDENTIAL_SOURCES.includes(d.type)),
    );
  });
}

export interface SecretReplicaProps {
  readonly region?: unknown;
  readonly kmsKeyId?: unknown;
}

/** A secret's replicas as declared (`replicas: [{ region, kmsKeyId }]`); undefined while unknown. */
export function replicasOf(secret: PolicyResource): SecretReplicaProps[] | undefined {
  const replicas = prop(secret.props, "replicas");
  if (replicas.state === "pending") return undefined;
  if (replicas.state === "absent") return [];
  return Array.isArray(replicas.value) ? (replicas.value as SecretReplicaProps[]) : [];
}
