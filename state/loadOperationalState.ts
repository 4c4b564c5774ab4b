import { readFile } from "node:fs/promises";
import * as path from "node:path";
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
}

export function stateObjectKey(
  store: Extract<StateStoreConfig, { kind: "s3" }>,
  environment: string,
): string {
  return store.key ?? defaultStateKey(environment);
}

export function stateSource(store: StateStoreConfig, at: StateLocation, cwd = process.cwd()): string {
  return store.kind === "file"
    ? path.resolve(cwd, store.directory, `${at.stack}.json`)
    : `s3://${store.bucket}/${stateObjectKey(store, at.environment)}`;
}

/** The stored state, or null when none exists yet (a new environment: the topology derives it from config). */
export async function loadOperationalState(
  store: StateStoreConfig,
  at: StateLocation,
  options: LoadStateOptions = {},
): Promise<OperationalState | null> {
  const source = stateSource(store, at, options.cwd);
  const text =
    store.kind === "file"
      ? await readFileIfExists(source)
      : ((
          await getObjectIfExists(
            (options.s3Client ?? defaultS3Client)(store.region),
            store.bucket,
            stateObjectKey(store, at.environment),
          )
        )?.text ?? null);
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
