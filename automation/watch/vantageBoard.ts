import type { VantageReport } from "./quorum";

/**
 * Where watcher replicas publish their own verdicts for the others to vote with: beside the
 * operational state, in a store every replica reaches. Each publish replaces the replica's
 * earlier reports.
 */
export interface VantageBoard {
  publish(voter: string, reports: readonly VantageReport[]): Promise<void>;
  read(): Promise<readonly VantageReport[]>;
}
