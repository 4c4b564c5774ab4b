import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { DatabaseSecretStore } from "../../ports";
import { declareActions } from "./awsActions";

export const SECRETS_MANAGER_DATABASE_SECRET_ACTIONS = declareActions(
  "secrets-manager-database-secret",
  "secretsmanager",
  ["GetSecretValue", "PutSecretValue"],
);

/**
 * Not calls: the secret is encrypted with the home region's customer-managed key, so Secrets
 * Manager asks KMS on the caller's behalf to decrypt the current version and encrypt the new one.
 */
export const SECRETS_MANAGER_KMS_ACTIONS = declareActions("secrets-manager-kms", "kms", [
  "Decrypt",
  "GenerateDataKey",
]);

export interface SecretsManagerDatabaseSecretOptions {
  /** The secret's name or ARN (the program names it `regionctl/<environment>/database`). */
  readonly secretId: string;
  /** The secret's home region: the only one where it can be written; replicas follow. */
  readonly region: string;
  readonly client: SecretsManagerClient;
}

export class SecretDocumentError extends Error {
  constructor(location: string, problem: string) {
    super(`the database secret ${location} ${problem}; nothing was written to it`);
    this.name = "SecretDocumentError";
  }
}

/**
 * The database secret in Secrets Manager. The document keeps the layout of RDS-managed secrets
 * (engine, username, password, port; older secrets may hold more); only `password` changes. The
 * new value becomes AWSCURRENT at once, so the next read anywhere gets the password the writer
 * already has.
 */
export function secretsManagerDatabaseSecret(
  options: SecretsManagerDatabaseSecretOptions,
): DatabaseSecretStore {
  const location = `${options.secretId} (${options.region})`;
  return {
    location,
    async putPassword(password) {
      const current = await options.client.send(new GetSecretValueCommand({ SecretId: options.secretId }));
      let doc: unknown;
      try {
        doc = JSON.parse(current.SecretString ?? "");
      } catch {
        throw new SecretDocumentError(location, "is not a JSON document");
      }
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new SecretDocumentError(location, "is not a JSON object");
      }
      await options.client.send(
        new PutSecretValueCommand({
          SecretId: options.secretId,
          SecretString: JSON.stringify({ ...(doc as Record<string, unknown>), password }),
        }),
      );
    },
  };
}
