import * as path from "node:path";
import type { VantageBoard } from "../../watch/vantageBoard";
import type { OpenStateStoreOptions, StateStoreConfig } from "../state/openStateStore";
import { stateObjectKey } from "../../../state/loadOperationalState";
import { DynamoDbVantageBoard } from "./dynamoDbVantageBoard";
import { FileVantageBoard } from "./fileVantageBoard";
import { S3VantageBoard } from "./s3VantageBoard";

/**
 * The board of the store `regionctl:stateStore` names: the replicas publish where they keep the
 * state, so the board answers, and fails, with the store. `voters` are the replicas read.
 */
export function openVantageBoard(
  storeConfig: StateStoreConfig,
  stack: string,
  environment: string,
  voters: readonly string[],
  options: OpenStateStoreOptions = {},
): VantageBoard {
  switch (storeConfig.kind) {
    case "file":
      return new FileVantageBoard(
        path.resolve(options.baseDirectory ?? process.cwd(), storeConfig.directory),
        stack,
        voters,
      );
    case "s3":
      return new S3VantageBoard({
        bucket: storeConfig.bucket,
        stateKey: stateObjectKey(storeConfig, environment),
        voters,
        region: storeConfig.region ?? options.defaultRegion,
        clientOptions: options.awsClientOptions,
      });
    case "dynamodb":
      return new DynamoDbVantageBoard({
        table: storeConfig.table,
        environment,
        regions: storeConfig.regions,
        voters,
        clientOptions: options.awsClientOptions,
      });
  }
}
