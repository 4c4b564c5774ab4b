import { z } from "zod";
import type { ErrorRateQuery, MetricPoint, MetricQuery, MetricsSource } from "../../ports";
import { describeFetchError } from "../http/fetchError";

/**
 * PromQL for one region's error rate. `{region}` and `{color}` are replaced by the query's values
 * (`{color}` by `.*` when the whole region is asked, so compare it with `=~`), `{period}` by the
 * step in seconds. It must return one series: aggregate with sum().
 */
export const DEFAULT_PROMQL =
  'sum(rate(http_requests_total{region="{region}",color=~"{color}",code=~"5.."}[{period}s]))' +
  ' / sum(rate(http_requests_total{region="{region}",color=~"{color}"}[{period}s]))';

/** PromQL for one region's 95th-percentile latency in milliseconds; placeholders as above. */
export const DEFAULT_LATENCY_PROMQL =
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{region="{region}",color=~"{color}"}[{period}s]))) * 1000';

export interface PrometheusMetricsOptions {
  /** Base URL of the Prometheus (or compatible) server, e.g. http://prometheus:9090. */
  readonly url: string;
  /** Default DEFAULT_PROMQL. */
  readonly query?: string;
  /** Default DEFAULT_LATENCY_PROMQL. */
  readonly latencyQuery?: string;
  /** Milliseconds per request. Default 10000. */
  readonly timeoutMs?: number;
  /** e.g. an Authorization header. */
  readonly headers?: Readonly<Record<string, string>>;
}

const responseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.object({
      resultType: z.string(),
      result: z.array(
        z.object({
          metric: z.record(z.string()),
          values: z.array(z.tuple([z.number(), z.string()])).default([]),
        }),
      ),
    }),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** Error rate and latency from the Prometheus HTTP API `query_range`. */
export class PrometheusMetrics implements MetricsSource {
  private readonly endpoint: URL;
  private readonly template: string;
  private readonly latencyTemplate: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: PrometheusMetricsOptions) {
    const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
    this.endpoint = new URL("api/v1/query_range", base);
    this.template = options.query ?? DEFAULT_PROMQL;
    this.latencyTemplate = options.latencyQuery ?? DEFAULT_LATENCY_PROMQL;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The PromQL sent for a query; shown by dry runs and error messages. */
  promql(
    query: Pick<ErrorRateQuery, "region" | "color" | "periodSeconds">,
    template: string = this.template,
  ): string {
    return template
      .replaceAll("{region}", escapeLabelValue(query.region))
      .replaceAll("{color}", query.color ?? ".*")
      .replaceAll("{period}", String(query.periodSeconds));
  }

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
    return this.range(this.promql(query), query);
  }

  async latencyP95(query: MetricQuery): Promise<MetricPoint[]> {
    return this.range(this.promql(query, this.latencyTemplate), query);
  }

  private async range(promql: string, query: MetricQuery): Promise<MetricPoint[]> {
    const url = new URL(this.endpoint);
    url.searchParams.set("query", promql);
    url.searchParams.set("start", String(query.startMs / 1000));
    url.searchParams.set("end", String(query.endMs / 1000));
    url.searchParams.set("step", String(query.periodSeconds));
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        headers: { accept: "application/json", ...this.options.headers },
        signal: timeout,
      });
      text = await res.text();
    } catch (err) {
      const why = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeFetchError(err);
      throw new Error(`Prometheus at ${this.endpoint.origin} failed: ${why}`);
    }
    let body: z.infer<typeof responseSchema>;
    try {
      body = responseSchema.parse(JSON.parse(text));
    } catch {
      throw new Error(
        `Prometheus answered HTTP ${res.status} with an unexpected body: ${text.slice(0, 200)}`,
      );
    }
    if (body.status === "error") {
      throw new Error(
        `Prometheus rejected ${promql}: ${body.errorType ?? "error"}: ${body.error ?? `HTTP ${res.status}`}`,
      );
    }
    if (body.data.resultType !== "matrix") {
      throw new Error(`Prometheus returned a ${body.data.resultType} for a range query; expected a matrix`);
    }
    if (body.data.result.length > 1) {
      throw new Error(
        `${promql} returned ${body.data.result.length} series; aggregate it with sum() into one`,
      );
    }
    // 0/0 periods (no traffic) come back as NaN: no point, as with CloudWatch.
    return (body.data.result[0]?.values ?? [])
      .map(([t, v]) => ({ at: Math.round(t * 1000), value: Number(v) }))
      .filter((p) => Number.isFinite(p.value));
  }
}

function escapeLabelValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}
