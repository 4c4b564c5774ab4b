import {
  CloudWatchClient,
  GetMetricDataCommand,
  type Dimension,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import type { ErrorRateQuery, MetricPoint, MetricsSource } from "../../ports";
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
  private readonly environmentDim: string;
  private readonly regionDim: string;
  private readonly colorDim: string | null;

  constructor(private readonly options: CloudWatchMetricsOptions) {
    this.namespace = options.namespace ?? "regionctl";
    this.requestsMetric = options.requestsMetric ?? "Requests";
    this.errorsMetric = options.errorsMetric ?? "Errors";
    this.environmentDim = options.dimensionNames?.environment ?? "Environment";
    this.regionDim = options.dimensionNames?.region ?? "Region";
    this.colorDim = options.dimensionNames?.color === undefined ? "Color" : options.dimensionNames.color;
  }

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
    if (query.color !== undefined && this.colorDim === null) {
      throw new Error("CloudWatch metrics are configured without a colour dimension; cannot split by colour");
    }
    // Metrics carry their colour; a region-wide rate adds both colours up.
    const colors: readonly (Color | null)[] =
      this.colorDim === null ? [null] : query.color !== undefined ? [query.color] : COLORS;
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
        const into = result.Id?.startsWith("errors_") === true ? sums.errors : sums.requests;
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        timestamps.forEach((t, i) => into.set(t.getTime(), (into.get(t.getTime()) ?? 0) + (values[i] ?? 0)));
      }
      nextToken = res.NextToken;
    } while (nextToken !== undefined);
    return [...sums.requests.entries()]
      .filter(([, requests]) => requests > 0)
      .map(([at, requests]) => ({ at, value: (sums.errors.get(at) ?? 0) / requests }))
      .sort((a, b) => a.at - b.at);
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
