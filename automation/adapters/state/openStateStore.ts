import * as path from "node:path";
import type { EnvironmentConfig } from "../../../components/config";
import type { StateStore } from "../../ports";
import type { AwsClientOptions } from "../aws/clientConfig";
import { DynamoDbStateStore } from "./dynamoDbStateStore";
import { FileStateStore } from "./fileStateStore";
import { S3StateStore } from "./s3StateStore";
import { stateObjectKey } from "../../../state/loadOperationalState";

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

/**
 * Where watcher replicas keep their leadership lease: a second store beside the state, so taking
 * the lead never contends with an operation's lease. The file store's is `<stack>.leader.json`'s
 * lease, S3's the object key `<state key>-leader`, DynamoDB's the items of `<environment>-leader`.
 * Only its lease methods are used.
 */
export function openLeadershipStore(
  storeConfig: StateStoreConfig,
  stack: string,
  environment: string,
  options: OpenStateStoreOptions = {},
): StateStore {
  switch (storeConfig.kind) {
    case "file":
      return openStateStore(storeConfig, `${stack}.leader`, environment, options);
    case "s3":
      return openStateStore(
        { ...storeConfig, key: leaderObjectKey(stateObjectKey(storeConfig, environment)) },
        stack,
        environment,
        options,
      );
    case "dynamodb":
      return openStateStore(storeConfig, stack, `${environment}-leader`, options);
  }
}

/** The leadership object's key beside the state's. */
export function leaderObjectKey(stateKey: string): string {
  return `${stateKey}-leader`;
}
