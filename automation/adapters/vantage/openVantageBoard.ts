import * as path from "node:path";
import type { VantageBoard } from "../../watch/vantageBoard";
import type { OpenStateStoreOptions, StateStoreConfig } from "../state/openStateStore";
import { FileVantageBoard } from "./fileVantageBoard";

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
    case "dynamodb":
      throw new Error(`no vantage board for ${storeConfig.kind} yet (${environment})`);
  }
}
