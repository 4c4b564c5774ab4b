import type { EnvironmentConfig } from "../../components/config";
import { initialState, type OperationalState } from "../../components/operationalState";

/**
 * Operational state documents as the controller leaves them, for running the program over them.
 * Each mirrors what the failover steps write (automation/executor/steps/dbFailover.ts).
 */

export interface Move {
  readonly from: string;
  readonly to: string;
  /** When the fault happened, ISO. */
  readonly at: string;
}

/**
 * After a managed failover away from a failed writer region: the writer moved, the failed region
 * drained and left out of stack updates, the incident recorded, a sync watermark for the old writer.
 */
export function afterFailover(config: EnvironmentConfig, move: Move): OperationalState {
  const base = initialState(config);
  const sync = Object.fromEntries(
    Object.keys(base.regions)
      .filter((r) => r !== move.to)
      .map((r) => [r, { lastSync: null, status: "idle" as const, lastError: null, nextRunAt: null }]),
  );
  return {
    ...base,
    revision: base.revision + 1,
    writer: move.to,
    regions: {
      ...base.regions,
      [move.from]: {
        ...base.regions[move.from],
        drained: true,
        excluded: true,
        note: `failed over to ${move.to}: region unhealthy`,
      },
    },
    sync,
    incidents: [
      {
        kind: "failover",
        from: move.from,
        to: move.to,
        faultAt: move.at,
        recoveredAt: null,
        rpoSeconds: 1,
        rtoSeconds: 95,
      },
    ],
  };
}

/**
 * After a detach-and-promote (the managed failover was impossible): as after a failover, with the
 * standalone cluster recorded as the writer (its own endpoint), the old writer's cluster queued to
 * be fenced when its region is back, and every region but the new writer queued to be rebuilt as
 * its secondary.
 */
export function afterDetach(config: EnvironmentConfig, move: Move): OperationalState {
  const state = afterFailover(config, move);
  const cluster = (region: string): string => `${config.environment}-${region}-cluster`;
  return {
    ...state,
    detachedWriter: {
      region: move.to,
      clusterIdentifier: cluster(move.to),
      endpoint: `${cluster(move.to)}.cluster-abcdefghijkl.${move.to}.rds.amazonaws.com`,
      detachedFrom: `${config.environment}-global`,
      operationId: "failover-test",
      recordedAt: move.at,
    },
    fenceOnReturn: [
      {
        region: move.from,
        clusterIdentifier: cluster(move.from),
        reason: `the old global cluster's writer, split from ${move.to} by a detach`,
        queuedAt: move.at,
      },
    ],
    replicationQueue: Object.keys(state.regions)
      .filter((r) => r !== move.to)
      .map((region) => ({
        region,
        reason: `rebuild as a secondary of ${move.to} after a detach failover (global failover unavailable)`,
        attempts: 0,
        nextAttemptAt: move.at,
        lastError: null,
        queuedAt: move.at,
      })),
  };
}
