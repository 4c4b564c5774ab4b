import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
  type MetricDatum,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { awsClientConfig } from "../../../automation/adapters/aws/clientConfig";
import { CloudWatchMetrics } from "../../../automation/adapters/metrics/cloudWatchMetrics";

/**
 * moto stores PutMetricData and answers GetMetricData's MetricStat queries; its metric math only
 * echoes a query id back (no arithmetic), which is one more reason the adapter divides itself.
 */

const endpoint = inject("motoEndpoint");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const MIN = 60_000;
// A minute boundary half an hour back, so periods line up with what was published.
const base = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;

function client(region: string): CloudWatchClient {
  return new CloudWatchClient(awsClientConfig(region, { endpoint, credentials }));
}

function datum(
  name: string,
  region: string,
  color: string,
  minute: number,
  value: number,
  env = "dev",
): MetricDatum {
  return {
    MetricName: name,
    Value: value,
    Unit: "Count",
    Timestamp: new Date(base + minute * MIN + 5_000),
    Dimensions: [
      { Name: "Environment", Value: env },
      { Name: "Region", Value: region },
      { Name: "Color", Value: color },
    ],
  };
}

beforeAll(async () => {
  const east: MetricDatum[] = [
    // blue: 100 requests a minute, 0, 5, 10 errors, then a minute with requests and no error metric at all
    ...[0, 1, 2, 3].map((m) => datum("Requests", "us-east-1", "blue", m, 100)),
    ...[1, 2].map((m) => datum("Errors", "us-east-1", "blue", m, m * 5)),
    datum("Errors", "us-east-1", "blue", 0, 0),
    // green: two publishes within minute 1 add up; 30 % errors
    datum("Requests", "us-east-1", "green", 1, 30),
    datum("Requests", "us-east-1", "green", 1, 20),
    datum("Errors", "us-east-1", "green", 1, 15),
    // another environment's traffic in the same region must not leak in
    datum("Requests", "us-east-1", "blue", 1, 1000, "prod"),
    datum("Errors", "us-east-1", "blue", 1, 1000, "prod"),
  ];
  await client("us-east-1").send(new PutMetricDataCommand({ Namespace: "regionctl", MetricData: east }));
  await client("us-west-2").send(
    new PutMetricDataCommand({
      Namespace: "regionctl",
      MetricData: [datum("Requests", "us-west-2", "blue", 0, 10), datum("Errors", "us-west-2", "blue", 0, 1)],
    }),
  );
});

describe("CloudWatchMetrics on moto", () => {
  const metrics = new CloudWatchMetrics({ environment: "dev", clientOptions: { endpoint, credentials } });
  const window = { startMs: base, endMs: base + 10 * MIN, periodSeconds: 60 };

  it("divides errors by requests per period for one colour; a period without errors published is 0", async () => {
    expect(await metrics.errorRate({ region: "us-east-1", color: "blue", ...window })).toEqual([
      { at: base, value: 0 },
      { at: base + MIN, value: 0.05 },
      { at: base + 2 * MIN, value: 0.1 },
      { at: base + 3 * MIN, value: 0 },
    ]);
    expect(await metrics.errorRate({ region: "us-east-1", color: "green", ...window })).toEqual([
      { at: base + MIN, value: 0.3 },
    ]);
  });

  it("adds both colours for the region-wide rate", async () => {
    const points = await metrics.errorRate({ region: "us-east-1", ...window });
    expect(points.map((p) => [p.at - base, Number(p.value.toFixed(6))])).toEqual([
      [0, 0],
      [MIN, Number((20 / 150).toFixed(6))],
      [2 * MIN, 0.1],
      [3 * MIN, 0],
    ]);
  });

  it("asks each region's own CloudWatch", async () => {
    expect(await metrics.errorRate({ region: "us-west-2", color: "blue", ...window })).toEqual([
      { at: base, value: 0.1 },
    ]);
    expect(await metrics.errorRate({ region: "eu-west-1", ...window })).toEqual([]);
  });

  it("uses the configured namespace and metric names", async () => {
    const other = new CloudWatchMetrics({
      environment: "dev",
      namespace: "shop",
      requestsMetric: "Hits",
      errorsMetric: "Faults",
      clientOptions: { endpoint, credentials },
    });
    expect(await other.errorRate({ region: "us-east-1", color: "blue", ...window })).toEqual([]);
    await client("us-east-1").send(
      new PutMetricDataCommand({
        Namespace: "shop",
        MetricData: [datum("Hits", "us-east-1", "blue", 4, 8), datum("Faults", "us-east-1", "blue", 4, 2)],
      }),
    );
    expect(await other.errorRate({ region: "us-east-1", color: "blue", ...window })).toEqual([
      { at: base + 4 * MIN, value: 0.25 },
    ]);
  });
});

describe("CloudWatchMetrics request shape (aws-sdk-client-mock)", () => {
  it("pages through NextToken, sends one MetricStat per metric and colour, and stops on a failed query", async () => {
    const cw = new CloudWatchClient({ region: "eu-west-1", credentials });
    const mock = mockClient(cw);
    const t0 = new Date(1_800_000_000_000);
    const t1 = new Date(1_800_000_060_000);
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: "requests_blue", Timestamps: [t0], Values: [10], StatusCode: "PartialData" },
          { Id: "requests_green", Timestamps: [t0], Values: [10], StatusCode: "PartialData" },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: "requests_blue", Timestamps: [t1], Values: [5], StatusCode: "Complete" },
          { Id: "errors_green", Timestamps: [t0, t1], Values: [4, 1], StatusCode: "Complete" },
        ],
      });
    const metrics = new CloudWatchMetrics({ environment: "prod", clientFor: () => cw });
    const points = await metrics.errorRate({
      region: "eu-west-1",
      startMs: t0.getTime(),
      endMs: t1.getTime() + 60_000,
      periodSeconds: 60,
    });
    expect(points).toEqual([
      { at: t0.getTime(), value: 0.2 },
      { at: t1.getTime(), value: 0.2 },
    ]);
    const calls = mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, "page-2"]);
    expect(
      calls[0].MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat]),
    ).toEqual([
      ["requests_blue", "Requests", "Sum"],
      ["errors_blue", "Errors", "Sum"],
      ["requests_green", "Requests", "Sum"],
      ["errors_green", "Errors", "Sum"],
    ]);
    expect(calls[0].MetricDataQueries?.[3].MetricStat?.Metric?.Dimensions).toEqual([
      { Name: "Environment", Value: "prod" },
      { Name: "Region", Value: "eu-west-1" },
      { Name: "Color", Value: "green" },
    ]);

    mock.reset();
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "requests_blue", StatusCode: "Forbidden", Messages: [{ Code: "x", Value: "no access" }] },
      ],
    });
    await expect(
      metrics.errorRate({ region: "eu-west-1", color: "blue", startMs: 0, endMs: 60_000, periodSeconds: 60 }),
    ).rejects.toThrow(/requests_blue: Forbidden no access/);
    mock.restore();
  });

  it("without a colour dimension, queries the region only and refuses a colour query", async () => {
    const cw = new CloudWatchClient({ region: "eu-west-1", credentials });
    const mock = mockClient(cw);
    mock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics({
      environment: "prod",
      dimensionNames: { color: null },
      clientFor: () => cw,
    });
    await metrics.errorRate({ region: "eu-west-1", startMs: 0, endMs: 60_000, periodSeconds: 60 });
    const queries = mock.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries ?? [];
    expect(queries.map((q) => q.MetricStat?.Metric?.Dimensions?.map((d) => d.Name))).toEqual([
      ["Environment", "Region"],
      ["Environment", "Region"],
    ]);
    await expect(
      metrics.errorRate({
        region: "eu-west-1",
        color: "green",
        startMs: 0,
        endMs: 60_000,
        periodSeconds: 60,
      }),
    ).rejects.toThrow(/without a colour dimension/);
    mock.restore();
  });
});
