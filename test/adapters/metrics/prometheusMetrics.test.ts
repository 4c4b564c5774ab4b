import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROMQL, PrometheusMetrics } from "../../../automation/adapters/metrics/prometheusMetrics";
import { startServer } from "../http/testServer";

/**
 * A stand-in Prometheus on 127.0.0.1 that answers /api/v1/query_range in the real response shape
 * (https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries), from fixed series
 * chosen by the query it receives.
 */

interface Asked {
  path: string;
  params: Record<string, string>;
  authorization: string | undefined;
}
const asked: Asked[] = [];
let server: Awaited<ReturnType<typeof startServer>>;

function matrix(series: { metric: Record<string, string>; values: [number, string][] }[]) {
  return { status: "success", data: { resultType: "matrix", result: series } };
}

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const params = Object.fromEntries(url.searchParams);
    asked.push({ path: url.pathname, params, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!url.pathname.endsWith("/api/v1/query_range"))
      return send(404, { status: "error", errorType: "not_found", error: "no route" });
    const q = params.query ?? "";
    const start = Number(params.start);
    const step = Number(params.step);
    if (q.includes("by (pod)")) {
      return send(
        200,
        matrix([
          { metric: { pod: "a" }, values: [[start, "0.1"]] },
          { metric: { pod: "b" }, values: [[start, "0.2"]] },
        ]),
      );
    }
    if (q.includes("syntax error"))
      return send(400, {
        status: "error",
        errorType: "bad_data",
        error: 'parse error at char 7: unexpected "error"',
      });
    if (q.includes("gateway")) {
      res.writeHead(502, { "content-type": "text/html" });
      return res.end("<html>bad gateway</html>");
    }
    if (q.includes("hang")) return; // never answers
    if (q.includes('region="ap-south-1"')) return send(200, matrix([]));
    // Prometheus returns NaN for 0/0 (a step without traffic).
    send(
      200,
      matrix([
        {
          metric: {},
          values: [
            [start, "0.01"],
            [start + step, "NaN"],
            [start + 2 * step, "0.25"],
          ],
        },
      ]),
    );
  });
});
afterAll(() => server.close());

describe("PrometheusMetrics", () => {
  const startMs = 1_800_000_000_000;
  const window = { startMs, endMs: startMs + 600_000, periodSeconds: 60 };

  it("sends the query_range request with the template filled in, and returns finite points in ms", async () => {
    const metrics = new PrometheusMetrics({
      url: `${server.url}/prom`,
      headers: { authorization: "Bearer t0ken" },
    });
    const points = await metrics.errorRate({ region: "us-east-1", color: "green", ...window });
    expect(points).toEqual([
      { at: startMs, value: 0.01 },
      { at: startMs + 120_000, value: 0.25 },
    ]);
    expect(asked.at(-1)).toEqual({
      path: "/prom/api/v1/query_range",
      params: {
        query:
          'sum(rate(http_requests_total{region="us-east-1",color=~"green",code=~"5.."}[60s]))' +
          ' / sum(rate(http_requests_total{region="us-east-1",color=~"green"}[60s]))',
        start: "1800000000",
        end: "1800000600",
        step: "60",
      },
      authorization: "Bearer t0ken",
    });
  });

  it("matches every colour for a region-wide query, and takes a custom template", async () => {
    const metrics = new PrometheusMetrics({ url: server.url });
    expect(metrics.promql({ region: "eu-west-1", periodSeconds: 30 })).toBe(
      DEFAULT_PROMQL.replaceAll("{region}", "eu-west-1")
        .replaceAll("{color}", ".*")
        .replaceAll("{period}", "30"),
    );
    const custom = new PrometheusMetrics({
      url: server.url,
      query: 'sum(app:error_ratio:rate5m{aws_region="{region}",slot=~"{color}"})',
    });
    await custom.errorRate({ region: "ap-south-1", ...window });
    expect(asked.at(-1)?.params.query).toBe(
      'sum(app:error_ratio:rate5m{aws_region="ap-south-1",slot=~".*"})',
    );
  });

  it("returns no points for an empty result", async () => {
    expect(
      await new PrometheusMetrics({ url: server.url }).errorRate({ region: "ap-south-1", ...window }),
    ).toEqual([]);
  });

  it("refuses a query that returns several series", async () => {
    const metrics = new PrometheusMetrics({
      url: server.url,
      query: 'rate(x{region="{region}"}[1m]) by (pod)',
    });
    await expect(metrics.errorRate({ region: "us-east-1", ...window })).rejects.toThrow(
      /returned 2 series; aggregate it with sum\(\)/,
    );
  });

  it("passes Prometheus's own error through, and names an unexpected body", async () => {
    const bad = new PrometheusMetrics({ url: server.url, query: "syntax error {region}" });
    await expect(bad.errorRate({ region: "us-east-1", ...window })).rejects.toThrow(
      'Prometheus rejected syntax error us-east-1: bad_data: parse error at char 7: unexpected "error"',
    );
    const proxy = new PrometheusMetrics({ url: server.url, query: "gateway" });
    await expect(proxy.errorRate({ region: "us-east-1", ...window })).rejects.toThrow(
      /HTTP 502 with an unexpected body: <html>/,
    );
  });

  it("gives up after its timeout", async () => {
    const metrics = new PrometheusMetrics({ url: server.url, query: "hang", timeoutMs: 300 });
    const started = performance.now();
    await expect(metrics.errorRate({ region: "us-east-1", ...window })).rejects.toThrow(
      `Prometheus at ${server.url} failed: no answer within 300 ms`,
    );
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
