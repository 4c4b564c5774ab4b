import {
  CloudWatchClient,
  GetMetricDataCommand,
  type Dimension,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import type { ErrorRateQuery, MetricPoint, MetricQuery, MetricsSource } from "../../ports";
import { awsClientConfig, type AwsClientOptions } from "../aws/clientConfig";
import { COLORS, type Color } from "../../../components/operationalState";

export interface CloudWatchMetricsOptions {
  /** Value of the Environment dimension. */
  readonly environment: string;
  /** Default `regionctl`. */
  readonly namespace?: string;
  /** Count of requests per period. Default `Requests`. */
  readonly requestsMetric?: string;
  /** Count of failed requests per period. Default `Errors`. */
  readonly errorsMetric?: string;
  /** Request latency in milliseconds. Default `Latency`. */
  readonly latencyMetric?: string;
  /** The latency statistic. Default `p95`. */
  readonly latencyStat?: string;
  /**
   * Dimension names. Default Environment / Region / Color. `color: null` when the application does
   * not publish a colour dimension (colour queries are then refused, not silently widened).
   */
  readonly dimensionNames?: {
    readonly environment?: string;
    readonly region?: string;
    readonly color?: string | null;
  };
  /** A region's client (tests). Default: one per region from awsClientConfig. */
  readonly clientFor?: (region: string) => CloudWatchClient;
  readonly clientOptions?: AwsClientOptions;
}

/**
 * Error rate from CloudWatch GetMetricData, asked of the region's own CloudWatch endpoint. The
 * division happens here, not in metric math: CloudWatch omits periods without data, so `errors /
 * requests` would drop every period with requests but no published errors, exactly the healthy
 * ones; here a missing error count is zero and a period without requests yields no point.
 */
export class CloudWatchMetrics implements MetricsSource {
  private readonly clients = new Map<string, CloudWatchClient>();
  private readonly namespace: string;
  private readonly requestsMetric: string;
  private readonly errorsMetric: string;
  private readonly latencyMetric: string;
  private readonly latencyStat: string;
  private readonly environmentDim: string;
  private readonly regionDim: string;
  private readonly colorDim: string | null;

  constructor(private readonly options: CloudWatchMetricsOptions) {
    this.namespace = options.namespace ?? "regionctl";
    this.requestsMetric = options.requestsMetric ?? "Requests";
    this.errorsMetric = options.errorsMetric ?? "Errors";
    this.latencyMetric = options.latencyMetric ?? "Latency";
    this.latencyStat = options.latencyStat ?? "p95";
    this.environmentDim = options.dimensionNames?.environment ?? "Environment";
    this.regionDim = options.dimensionNames?.region ?? "Region";
    this.colorDim = options.dimensionNames?.color === undefined ? "Color" : options.dimensionNames.color;
  }

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
    // A region-wide rate adds both colours up.
    const colors = this.colorsOf(query);
    const queries: MetricDataQuery[] = [];
    for (const color of colors) {
      for (const [kind, metricName] of [
        ["requests", this.requestsMetric],
        ["errors", this.errorsMetric],
      ] as const) {
        queries.push({
          Id: `${kind}_${color ?? "all"}`,
          MetricStat: {
            Metric: {
              Namespace: this.namespace,
              MetricName: metricName,
              Dimensions: this.dimensions(query.region, color),
            },
            Period: query.periodSeconds,
            Stat: "Sum",
          },
          ReturnData: true,
        });
      }
    }
    const sums = { requests: new Map<number, number>(), errors: new Map<number, number>() };
    await this.fetch(query, queries, (id, at, value) => {
      const into = id.startsWith("errors_") ? sums.errors : sums.requests;
      into.set(at, (into.get(at) ?? 0) + value);
    });
    return [...sums.requests.entries()]
      .filter(([, requests]) => requests > 0)
      .map(([at, requests]) => ({ at, value: (sums.errors.get(at) ?? 0) / requests }))
      .sort((a, b) => a.at - b.at);
  }

  /**
   * Percentiles of two colours cannot be merged, so a region-wide latency takes the slower colour
   * of each period: a gate may then wait on an old colour's tail, but never misses a slow new one.
   */
  async latencyP95(query: MetricQuery): Promise<MetricPoint[]> {
    const colors = this.colorsOf(query);
    const queries: MetricDataQuery[] = colors.map((color) => ({
      Id: `latency_${color ?? "all"}`,
      MetricStat: {
        Metric: {
          Namespace: this.namespace,
          MetricName: this.latencyMetric,
          Dimensions: this.dimensions(query.region, color),
        },
        Period: query.periodSeconds,
        Stat: this.latencyStat,
      },
      ReturnData: true,
    }));
    const worst = new Map<number, number>();
    await this.fetch(query, queries, (_id, at, value) => worst.set(at, Math.max(worst.get(at) ?? 0, value)));
    return [...worst.entries()].map(([at, value]) => ({ at, value })).sort((a, b) => a.at - b.at);
  }

  private colorsOf(query: MetricQuery): readonly (Color | null)[] {
    if (query.color !== undefined && this.colorDim === null) {
      throw new Error("CloudWatch metrics are configured without a colour dimension; cannot split by colour");
    }
    // Metrics carry their colour; a region-wide figure combines both colours.
    return this.colorDim === null ? [null] : query.color !== undefined ? [query.color] : COLORS;
  }

  /** Every page of GetMetricData, each finite value handed to `add` with its query id. */
  private async fetch(
    query: MetricQuery,
    queries: MetricDataQuery[],
    add: (id: string, at: number, value: number) => void,
  ): Promise<void> {
    const client = this.client(query.region);
    let nextToken: string | undefined;
    do {
      const res = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(query.startMs),
          EndTime: new Date(query.endMs),
          ScanBy: "TimestampAscending",
          NextToken: nextToken,
        }),
      );
      for (const result of res.MetricDataResults ?? []) {
        if (result.StatusCode === "InternalError" || result.StatusCode === "Forbidden") {
          const why = (result.Messages ?? []).map((m) => m.Value).join("; ");
          throw new Error(`CloudWatch GetMetricData ${result.Id}: ${result.StatusCode} ${why}`);
        }
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        timestamps.forEach((t, i) => {
          const v = values[i];
          if (v !== undefined && Number.isFinite(v)) add(result.Id ?? "", t.getTime(), v);
        });
      }
      nextToken = res.NextToken;
    } while (nextToken !== undefined);
  }

  private dimensions(region: string, color: Color | null): Dimension[] {
    const dims: Dimension[] = [
      { Name: this.environmentDim, Value: this.options.environment },
      { Name: this.regionDim, Value: region },
    ];
    if (color !== null && this.colorDim !== null) dims.push({ Name: this.colorDim, Value: color });
    return dims;
  }

  private client(region: string): CloudWatchClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client =
        this.options.clientFor?.(region) ??
        new CloudWatchClient(awsClientConfig(region, this.options.clientOptions));
      this.clients.set(region, client);
    }
    return client;
  }
}
