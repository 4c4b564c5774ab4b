import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { declareActions } from "./awsActions";

export const CLOUDWATCH_LAG_ACTIONS = declareActions("cloudwatch-lag", "cloudwatch", ["GetMetricData"]);

/**
 * Aurora publishes a secondary cluster's lag in its own region: `AuroraGlobalDBRPOLag` (how much a
 * failover would lose; aurora-postgresql) and `AuroraGlobalDBReplicationLag` (both engines), in
 * milliseconds, per DBClusterIdentifier.
 */
export const RPO_LAG_METRIC = "AuroraGlobalDBRPOLag";
export const REPLICATION_LAG_METRIC = "AuroraGlobalDBReplicationLag";

export interface LagTarget {
  readonly region: string;
  readonly clusterIdentifier: string;
}

/** Lag in seconds per region; null where no datapoint exists or the lookup failed. */
export type LagLookup = (
  targets: readonly LagTarget[],
  signal?: AbortSignal,
) => Promise<Map<string, number | null>>;

export interface CloudWatchLagOptions {
  readonly cloudwatch: (region: string) => CloudWatchClient;
  readonly now?: () => number;
  /** Seconds of history searched for the latest datapoint. Default 300. */
  readonly windowSeconds?: number;
}

export function cloudWatchLag(options: CloudWatchLagOptions): LagLookup {
  const now = options.now ?? Date.now;
  const windowMs = (options.windowSeconds ?? 300) * 1000;
  return async (targets, signal) => {
    const settled = await Promise.allSettled(
      targets.map((t) =>
        latestLagSeconds(options.cloudwatch(t.region), t.clusterIdentifier, now(), windowMs, signal),
      ),
    );
    return new Map(
      targets.map((t, i) => [t.region, settled[i].status === "fulfilled" ? settled[i].value : null]),
    );
  };
}

function query(id: string, metric: string, clusterIdentifier: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/RDS",
        MetricName: metric,
        Dimensions: [{ Name: "DBClusterIdentifier", Value: clusterIdentifier }],
      },
      Period: 60,
      Stat: "Maximum",
    },
    ReturnData: true,
  };
}

/** The most recent lag of one cluster, preferring the RPO lag where Aurora publishes it. */
export async function latestLagSeconds(
  client: CloudWatchClient,
  clusterIdentifier: string,
  nowMs: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<number | null> {
  const out = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(nowMs - windowMs),
      EndTime: new Date(nowMs),
      ScanBy: "TimestampDescending",
      MetricDataQueries: [
        query("rpo", RPO_LAG_METRIC, clusterIdentifier),
        query("replication", REPLICATION_LAG_METRIC, clusterIdentifier),
      ],
    }),
    { abortSignal: signal },
  );
  const latest = (id: string): number | null => {
    const r = out.MetricDataResults?.find((m) => m.Id === id);
    const values = r?.Values ?? [];
    const times = r?.Timestamps ?? [];
    if (values.length === 0) return null;
    // Do not trust the sort order alone: pick the value with the newest timestamp.
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if ((times[i]?.getTime() ?? 0) > (times[best]?.getTime() ?? 0)) best = i;
    }
    return values[best] / 1000;
  };
  return latest("rpo") ?? latest("replication");
}
