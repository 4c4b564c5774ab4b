import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { EnvironmentConfig } from "../components/config";
import { type OperationalState, StateSchemaError, parseState } from "../components/operationalState";
import { defaultStateKey, getObjectIfExists } from "./s3Object";

/**
 * Reads the controller-owned operational state for the program and for `regionctl validate`,
 * through the same S3 object read and key default as the controller's store.
 */

export type StateStoreConfig = EnvironmentConfig["stateStore"];

export interface StateLocation {
  /** Pulumi stack name: the file store keeps `<directory>/<stack>.json`. */
  readonly stack: string;
  /** Environment name: the state must belong to it; the S3 key defaults to regionctl/<environment>.json. */
  readonly environment: string;
}

export interface LoadStateOptions {
  /** Base of a relative file-store directory. Default: the working directory (the project, under Pulumi). */
  readonly cwd?: string;
  /** Builds the S3 client, e.g. for another endpoint in tests. */
  readonly s3Client?: (region: string | undefined) => S3Client;
  /** Builds a DynamoDB client for one replica region, e.g. for another endpoint in tests. */
  readonly dynamoDbClient?: (region: string) => DynamoDBClient;
  /** The replica tried first. Default: AWS_REGION when it is one of the table's regions. */
  readonly homeRegion?: string;
}

export function stateObjectKey(
  store: Extract<StateStoreConfig, { kind: "s3" }>,
  environment: string,
): string {
  return store.key ?? defaultStateKey(environment);
}

/** The DynamoDB store's items: hash key `id`, the JSON document in `document`, a write token in `version`. */
export const DYNAMODB_ITEM = { key: "id", document: "document", version: "version" } as const;

export function dynamoDbItemIds(environment: string): { state: string; lease: string } {
  return { state: `regionctl/${environment}`, lease: `regionctl/${environment}.lease` };
}

export function stateSource(store: StateStoreConfig, at: StateLocation, cwd = process.cwd()): string {
  switch (store.kind) {
    case "file":
      return path.resolve(cwd, store.directory, `${at.stack}.json`);
    case "s3":
      return `s3://${store.bucket}/${stateObjectKey(store, at.environment)}`;
    case "dynamodb":
      return `dynamodb://${store.table}/${dynamoDbItemIds(at.environment).state}`;
  }
}

/** The stored state, or null when none exists yet (a new environment: the topology derives it from config). */
export async function loadOperationalState(
  store: StateStoreConfig,
  at: StateLocation,
  options: LoadStateOptions = {},
): Promise<OperationalState | null> {
  const source = stateSource(store, at, options.cwd);
  const text = await readText(store, at, source, options);
  if (text === null) {
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateSchemaError(source, [`not valid JSON: ${(e as Error).message}`]);
  }
  const state = parseState(raw, source);
  if (state.environment !== at.environment) {
    throw new StateSchemaError(source, [
      `environment: the document belongs to ${state.environment}, not to ${at.environment}`,
    ]);
  }
  return state;
}

async function readText(
  store: StateStoreConfig,
  at: StateLocation,
  source: string,
  options: LoadStateOptions,
): Promise<string | null> {
  switch (store.kind) {
    case "file":
      return readFileIfExists(source);
    case "s3":
      return (
        (
          await getObjectIfExists(
            (options.s3Client ?? defaultS3Client)(store.region),
            store.bucket,
            stateObjectKey(store, at.environment),
          )
        )?.text ?? null
      );
    case "dynamodb":
      return readItemFromAnyReplica(store, dynamoDbItemIds(at.environment).state, options);
  }
}

/**
 * A strongly consistent read from the first replica that answers, home region first: on a
 * strong-consistency global table every replica returns the latest document.
 */
async function readItemFromAnyReplica(
  store: Extract<StateStoreConfig, { kind: "dynamodb" }>,
  id: string,
  options: LoadStateOptions,
): Promise<string | null> {
  const home = options.homeRegion ?? process.env.AWS_REGION;
  const regions =
    home !== undefined && store.regions.includes(home)
      ? [home, ...store.regions.filter((r) => r !== home)]
      : store.regions;
  const failures: string[] = [];
  let missingEverywhere = true;
  for (const region of regions) {
    try {
      const client = (options.dynamoDbClient ?? defaultDynamoDbClient)(region);
      const res = await client.send(
        new GetItemCommand({
          TableName: store.table,
          Key: { [DYNAMODB_ITEM.key]: { S: id } },
          ConsistentRead: true,
        }),
      );
      return res.Item?.[DYNAMODB_ITEM.document]?.S ?? null;
    } catch (e) {
      missingEverywhere &&= (e as { name?: string }).name === "ResourceNotFoundException";
      failures.push(`${region}: ${(e as Error).message}`);
    }
  }
  // No replica has the table: a new environment, whose first update creates it. Nothing was
  // ever stored, so there is nothing to undo.
  if (missingEverywhere) return null;
  throw new Error(`no replica of dynamodb://${store.table}/${id} answered: ${failures.join("; ")}`);
}

/** Bounded, so a replica in a region that is down costs seconds before the next one is asked. */
function defaultDynamoDbClient(region: string): DynamoDBClient {
  return new DynamoDBClient({
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 4_000, requestTimeout: 15_000 },
  });
}

function defaultS3Client(region: string | undefined): S3Client {
  return new S3Client(region === undefined ? {} : { region });
}

async function readFileIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      return null;
    }
    throw e;
  }
}
