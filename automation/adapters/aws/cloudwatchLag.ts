import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { declareActions } from "./awsActions";

export const CLOUDWATCH_LAG_ACTIONS = declareActions("cloudwatch-lag", "cloudwatch", [
  "GetMetricData",
  "ListMetrics",
]);

/**
 * Aurora publishes a secondary cluster's lag in its own region: `AuroraGlobalDBRPOLag` (how much a
 * failover would lose; aurora-postgresql) and `AuroraGlobalDBReplicationLag` (both engines), in
 * milliseconds. GetMetricData matches dimensions exactly, and the series may carry more than
 * DBClusterIdentifier (e.g. SourceRegion), so the series are found first with ListMetrics, which
 * matches any series that has the cluster's dimension.
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

function query(id: string, metric: string, dimensions: readonly Dimension[]): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/RDS", MetricName: metric, Dimensions: [...dimensions] },
      Period: 60,
      Stat: "Maximum",
    },
    ReturnData: true,
  };
}

/** Every series of the metric that has the cluster's dimension, whatever else it carries. */
async function seriesOf(
  client: CloudWatchClient,
  metric: string,
  clusterIdentifier: string,
  signal?: AbortSignal,
): Promise<Dimension[][]> {
  const series: Dimension[][] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(
      new ListMetricsCommand({
        Namespace: "AWS/RDS",
        MetricName: metric,
        Dimensions: [{ Name: "DBClusterIdentifier", Value: clusterIdentifier }],
        NextToken: nextToken,
      }),
      { abortSignal: signal },
    );
    for (const m of out.Metrics ?? []) series.push(m.Dimensions ?? []);
    nextToken = out.NextToken;
  } while (nextToken !== undefined);
  return series;
}

/**
 * The most recent lag of one cluster, preferring the RPO lag where Aurora publishes it. With
 * several series of one metric, the largest of their newest values: the lag a failover risks.
 */
export async function latestLagSeconds(
  client: CloudWatchClient,
  clusterIdentifier: string,
  nowMs: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<number | null> {
  const families = [
    { id: "rpo", metric: RPO_LAG_METRIC },
    { id: "replication", metric: REPLICATION_LAG_METRIC },
  ];
  const queries = (
    await Promise.all(
      families.map(async (f) =>
        (await seriesOf(client, f.metric, clusterIdentifier, signal)).map((dims, i) =>
          query(`${f.id}${i}`, f.metric, dims),
        ),
      ),
    )
  ).flat();
  if (queries.length === 0) return null;
  const out = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(nowMs - windowMs),
      EndTime: new Date(nowMs),
      ScanBy: "TimestampDescending",
      MetricDataQueries: queries,
    }),
    { abortSignal: signal },
  );
  const newest = (values: number[], times: Date[]): number => {
    // Do not trust the sort order alone: pick the value with the newest timestamp.
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if ((times[i]?.getTime() ?? 0) > (times[best]?.getTime() ?? 0)) best = i;
    }
    return values[best];
  };
  const latest = (family: string): number | null => {
    const found = (out.MetricDataResults ?? [])
      .filter((r) => r.Id !== undefined && new RegExp(`^${family}\\d+$`).test(r.Id))
      .filter((r) => (r.Values ?? []).length > 0)
      .map((r) => newest(r.Values ?? [], r.Timestamps ?? []));
    return found.length === 0 ? null : Math.max(...found) / 1000;
  };
  return latest("rpo") ?? latest("replication");
}
