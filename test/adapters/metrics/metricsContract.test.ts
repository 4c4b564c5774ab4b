import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, inject } from "vitest";
import { awsClientConfig } from "../../../automation/adapters/aws/clientConfig";
import { CloudWatchMetrics } from "../../../automation/adapters/metrics/cloudWatchMetrics";
import { PrometheusMetrics } from "../../../automation/adapters/metrics/prometheusMetrics";
import { Recorder } from "../../../automation/drill/recorder";
import { validateScenario } from "../../../automation/drill/scenario";
import { scenarioConfig } from "../../../automation/drill/scenarioConfig";
import { SimCloud } from "../../../automation/drill/simCloud";
import { SimMetricsSource } from "../../../automation/drill/simMetricsSource";
import { DRILL_EPOCH_MS, VirtualClock } from "../../../automation/drill/virtualClock";
import { EffectLog, MemoryMetricsSource } from "../../support/memoryPorts";
import { startServer } from "../http/testServer";
import { metricsContract } from "./metricsContract";

const MIN = 60_000;
const ERROR_RATE = 0.05;
const LATENCY_MS = 120;
const REGION = "us-east-1";
const settleNow = <T>(p: Promise<T>): Promise<T> => p;

metricsContract("memory fake", async () => {
  const window = { startMs: 0, endMs: 3 * MIN, periodSeconds: 60 };
  const log = new EffectLog(new VirtualClock(0));
  // The fake answers one point per query; the contract asks a window of periods, so one per period.
  const source = new MemoryMetricsSource(
    log,
    (q) => (q.color === "green" ? null : ERROR_RATE),
    (q) => (q.color === "green" ? null : LATENCY_MS),
  );
  const perPeriod: typeof source = Object.assign(Object.create(source) as typeof source, {
    errorRate: async (q: Parameters<typeof source.errorRate>[0]) => spread(await source.errorRate(q), q),
    latencyP95: async (q: Parameters<typeof source.latencyP95>[0]) => spread(await source.latencyP95(q), q),
  });
  return {
    source: perPeriod,
    region: REGION,
    window,
    errorRate: ERROR_RATE,
    latencyMs: LATENCY_MS,
    tolerance: { errorRate: 0, latency: 0 },
    settle: settleNow,
  };
});

function spread(
  points: readonly { at: number; value: number }[],
  q: { startMs: number; endMs: number; periodSeconds: number },
): { at: number; value: number }[] {
  const out: { at: number; value: number }[] = [];
  for (const p of points) {
    for (let t = q.startMs; t + q.periodSeconds * 1000 <= q.endMs; t += q.periodSeconds * 1000) {
      out.push({ at: t, value: p.value });
    }
  }
  return out;
}

metricsContract("drill simulation", async () => {
  const parsed = validateScenario({
    name: "metrics-contract",
    regions: [REGION, "us-west-2", "eu-west-1"],
    versions: { "1.0.0": { errorRate: ERROR_RATE, latencyMs: LATENCY_MS } },
    initialVersion: "1.0.0",
    until: 1200,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const built = scenarioConfig(parsed.scenario);
  if (!("config" in built)) throw new Error("bad scenario");
  const clock = new VirtualClock(DRILL_EPOCH_MS);
  const cloud = new SimCloud(parsed.scenario, built.config, 1, clock, new Recorder(clock));
  clock.advanceTo(DRILL_EPOCH_MS + 10 * MIN);
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const watched = p.finally(() => (done = true));
    await clock.idle();
    while (!done && (await clock.step(clock.now() + 60_000))) {
      // until the call returns
    }
    return watched;
  };
  return {
    // Many requests a period, so the binomial noise on the error rate stays small.
    source: new SimMetricsSource(cloud, 1_000_000),
    region: REGION,
    window: { startMs: DRILL_EPOCH_MS + MIN, endMs: DRILL_EPOCH_MS + 5 * MIN, periodSeconds: 60 },
    errorRate: ERROR_RATE,
    latencyMs: LATENCY_MS,
    tolerance: { errorRate: 0.01, latency: 0.5 },
    settle,
  };
});

// CloudWatch against moto. moto computes no percentile statistics, so this source asks Maximum:
// with one latency datum a period it is that period's p95 as well.
const endpoint = inject("motoEndpoint");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const base = Math.floor(Date.now() / MIN) * MIN - 40 * MIN;
beforeAll(async () => {
  const dims = [
    { Name: "Environment", Value: "contract" },
    { Name: "Region", Value: REGION },
    { Name: "Color", Value: "blue" },
  ];
  const data: MetricDatum[] = [0, 1, 2, 3].flatMap((m) => {
    const at = new Date(base + m * MIN + 5_000);
    return [
      { MetricName: "Requests", Value: 200, Unit: "Count", Timestamp: at, Dimensions: dims },
      { MetricName: "Errors", Value: 200 * ERROR_RATE, Unit: "Count", Timestamp: at, Dimensions: dims },
      { MetricName: "Latency", Value: LATENCY_MS, Unit: "Milliseconds", Timestamp: at, Dimensions: dims },
    ];
  });
  const client = new CloudWatchClient(awsClientConfig(REGION, { endpoint, credentials }));
  await client.send(new PutMetricDataCommand({ Namespace: "regionctl", MetricData: data }));
});

metricsContract("CloudWatch on moto", async () => ({
  source: new CloudWatchMetrics({
    environment: "contract",
    latencyStat: "Maximum",
    clientOptions: { endpoint, credentials },
  }),
  region: REGION,
  window: { startMs: base, endMs: base + 4 * MIN, periodSeconds: 60 },
  errorRate: ERROR_RATE,
  latencyMs: LATENCY_MS,
  tolerance: { errorRate: 1e-9, latency: 0 },
  settle: settleNow,
}));

// Prometheus: a stand-in answering query_range per period, from the query it receives.
let prometheus: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  prometheus = await startServer((req, res) => {
    const params = new URL(req.url ?? "/", "http://x").searchParams;
    const q = params.get("query") ?? "";
    const start = Number(params.get("start"));
    const end = Number(params.get("end"));
    const step = Number(params.get("step"));
    const value = q.includes("histogram_quantile") ? LATENCY_MS : ERROR_RATE;
    const values: [number, string][] = [];
    for (let t = start; t < end; t += step) values.push([t, String(value)]);
    const result = q.includes('color=~"green"') ? [] : [{ metric: {}, values }];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result } }));
  });
});
afterAll(() => prometheus.close());

metricsContract("Prometheus", async () => ({
  source: new PrometheusMetrics({ url: prometheus.url }),
  region: REGION,
  window: { startMs: 1_800_000_000_000, endMs: 1_800_000_000_000 + 4 * MIN, periodSeconds: 60 },
  errorRate: ERROR_RATE,
  latencyMs: LATENCY_MS,
  tolerance: { errorRate: 0, latency: 0 },
  settle: settleNow,
}));
