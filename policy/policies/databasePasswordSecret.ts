import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isWriterCluster, roleTagOf } from "../databaseRoles";
import { prop } from "../known";
import { T } from "../resourceTypes";
import { isSecretPath, secretPathsOf } from "../secretMarks";
import { stringLeaves } from "../walk";

/** Resources whose output is a secret by construction, so a password taken from them is one too. */
const DEFAULT_SOURCES: string[] = [T.randomPassword];
/** Shorter strings would match by accident (a port, a region). */
const MIN_PASSWORD_LENGTH = 8;

interface PasswordConfig {
  passwordSources?: string[];
}

/**
 * The database master password is generated (a Pulumi secret from birth), never read from plain
 * config or typed in, and never leaves the program in plain text: not as a stack output, not in
 * another resource's inputs.
 *
 * Under `pulumi preview` the analyzer unwraps secrets before policies see them, so there this
 * policy checks where the password comes from (the `masterPassword` dependency); the offline
 * evaluation (`regionctl validate`) also knows which values are secrets and checks every place the
 * password appears.
 */
export const databasePasswordSecret: StackValidationPolicy = {
  name: "database-password-secret",
  description:
    "The database master password is a generated Pulumi secret, never plain config, a literal or a plain output.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      passwordSources: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_SOURCES,
        description: "Resource types a master password may come from.",
      },
    },
  },
  validateStack: (args, report) => {
    const sources = args.getConfig<PasswordConfig>().passwordSources ?? DEFAULT_SOURCES;
    const passwords: string[] = [];
    for (const cluster of args.resources.filter((r) => r.type === T.rdsCluster)) {
      const managed = prop(cluster.props, "manageMasterUserPassword");
      if (managed.state === "known" && managed.value === true) continue; // RDS keeps it in Secrets Manager
      // A former writer still shows its creation-time password (ignored after creation) but no
      // longer takes it from anywhere; only a tagged or untagged writer is judged.
      if (roleTagOf(cluster) !== undefined && !isWriterCluster(cluster)) continue;
      const password = prop(cluster.props, "masterPassword");
      if (password.state === "absent") continue; // a secondary, or a write-only password
      if (!comesFrom(cluster, sources)) {
        report(
          `cluster ${cluster.name} takes masterPassword from plain config or a literal; generate it with random.RandomPassword (a secret) or set manageMasterUserPassword.`,
          cluster.urn,
        );
      }
      const marks = secretPathsOf(cluster.props);
      if (marks !== undefined && !isSecretPath(marks, "masterPassword")) {
        report(`cluster ${cluster.name}: masterPassword is not a Pulumi secret.`, cluster.urn);
      }
      if (
        password.state === "known" &&
        typeof password.value === "string" &&
        password.value.length >= MIN_PASSWORD_LENGTH
      ) {
        passwords.push(password.value);
      }
    }
    if (passwords.length === 0) return;
    for (const resource of args.resources) {
      if (resource.type === T.rdsCluster || sources.includes(resource.type)) continue;
      const marks = secretPathsOf(resource.props);
      if (marks === undefined) continue; // secrets already unwrapped: cannot tell plain from secret
      for (const leaf of stringLeaves(resource.props)) {
        if (!passwords.some((p) => leaf.value.includes(p)) || isSecretPath(marks, leaf.path)) continue;
        report(
          resource.type === T.stack
            ? `stack output ${leaf.path} holds the database password in plain text; export it with pulumi.secret() or not at all.`
            : `${resource.name} (${resource.type}) holds the database password in plain text at ${leaf.path}.`,
          resource.urn,
        );
      }
    }
  },
};

function comesFrom(cluster: PolicyResource, sources: readonly string[]): boolean {
  return (cluster.propertyDependencies.masterPassword ?? []).some((d) => sources.includes(d.type));
}
