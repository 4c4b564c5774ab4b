import type { StackValidationPolicy } from "@pulumi/policy";
import { databaseSecrets, refersTo } from "../databaseSecrets";
import { knownString } from "../known";
import { T } from "../resourceTypes";

/** The tag a secret carries when `regionctl` rotates its password (writer first, secret second). */
export const ROTATION_TAG = "regionctl:rotation";
export const ROTATED_BY_CONTROLLER = "controller";

/**
 * A password that never changes outlives everyone who ever saw it (AWS Config
 * `secretsmanager-rotation-enabled-check`). Either Secrets Manager rotates the secret (a
 * SecretRotation for it), or the controller does, and the secret says so with its rotation tag.
 */
export const databaseSecretRotation: StackValidationPolicy = {
  name: "database-secret-rotation",
  description:
    "The database secret has rotation configured, or is tagged as rotated by regionctl (regionctl:rotation=controller).",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args, report) => {
    const rotations = args.resources.filter((r) => r.type === T.secretRotation);
    for (const secret of databaseSecrets(args.resources)) {
      if (rotations.some((r) => refersTo(r, "secretId", secret))) continue;
      const tag = knownString(
        () => (secret.props.tags as Record<string, unknown> | undefined)?.[ROTATION_TAG],
      );
      if (tag === ROTATED_BY_CONTROLLER) continue;
      report(
        `secret ${secret.name} is never rotated: add a SecretRotation, or rotate it with regionctl and tag it ${ROTATION_TAG}=${ROTATED_BY_CONTROLLER}.`,
        secret.urn,
      );
    }
  },
};
