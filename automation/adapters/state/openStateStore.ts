import * as path from "node:path";
import type { EnvironmentConfig } from "../../../components/config";
import type { StateStore } from "../../ports";
import type { AwsClientOptions } from "../aws/clientConfig";
import { DynamoDbStateStore } from "./dynamoDbStateStore";
import { FileStateStore } from "./fileStateStore";
import { S3StateStore } from "./s3StateStore";

export type StateStoreConfig = EnvironmentConfig["stateStore"];

export interface OpenStateStoreOptions {
  /** What a relative file-store directory is resolved against. Default: the working directory. */
  readonly baseDirectory?: string;
  /** Lease clock. Default Date.now. */
  readonly now?: () => number;
  /** For S3 without `region`: e.g. the environment's `aws:region`. Default: the SDK's. */
  readonly defaultRegion?: string;
  readonly awsClientOptions?: AwsClientOptions;
}

/** The store `regionctl:stateStore` names, for one stack (file name) and environment (S3 key, DynamoDB item). */
export function openStateStore(
  storeConfig: StateStoreConfig,
  stack: string,
  environment: string,
  options: OpenStateStoreOptions = {},
): StateStore {
  switch (storeConfig.kind) {
    case "file":
      return new FileStateStore({
        stack,
        directory: path.resolve(options.baseDirectory ?? process.cwd(), storeConfig.directory),
        now: options.now,
      });
    case "s3":
      return new S3StateStore({
        bucket: storeConfig.bucket,
        key: storeConfig.key,
        environment,
        region: storeConfig.region ?? options.defaultRegion,
        clientOptions: options.awsClientOptions,
        now: options.now,
      });
    case "dynamodb":
      // The home replica is the controller's own region (AWS_REGION), not the stack's.
      return new DynamoDbStateStore({
        table: storeConfig.table,
        regions: storeConfig.regions,
        environment,
        clientOptions: options.awsClientOptions,
        now: options.now,
      });
  }
}
