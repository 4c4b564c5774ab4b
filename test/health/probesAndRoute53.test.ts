import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  GetHealthCheckStatusCommand,
  type HealthCheckObservation,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { route53CheckerFractions, checkerFraction } from "../../automation/adapters/aws/route53HealthChecks";
import { createHealthSource } from "../../automation/adapters/http/healthSource";
import { HttpProbe } from "../../automation/adapters/http/httpProbe";
import { initialTracker, observeSamples } from "../../automation/health/tracker";
import type { RegionEndpoint } from "../../automation/ports";
import { createWatcher } from "../../automation/watch/watcher";
import { memoryPorts } from "../support/memoryPorts";
import { sampleRawConfig } from "../support/sampleConfig";

/**
 * The health signals end to end on real sockets: direct HTTP probes of a local server (one region
 * hangs, one answers 503, one is fine) and Route 53's checker view through the SDK, mocked.
 */

let server: Server;
let base = "";
const hung: import("node:http").ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/hang") {
      hung.push(res);
      return;
    }
    res.statusCode = req.url === "/down" ? 503 : 200;
    res.end(req.url === "/down" ? "unavailable" : "ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const SETTINGS = {
  failureThreshold: 3,
  recoveryThreshold: 3,
  flapTransitions: 4,
  flapWindowMs: 600_000,
  flapCooldownMs: 900_000,
};

function endpoints(): RegionEndpoint[] {
  return [
    { region: "us-east-1", url: `${base}/hang`, healthCheckId: "hc-use1" },
    { region: "us-west-2", url: `${base}/ok`, healthCheckId: "hc-usw2" },
    { region: "eu-west-1", url: `${base}/down`, healthCheckId: "hc-euw1" },
  ];
}

function observations(healthy: number, total: number): HealthCheckObservation[] {
  return Array.from({ length: total }, (_, i) => ({
    IPAddress: `192.0.2.${i + 1}`,
    StatusReport: {
      Status: i < healthy ? "Success: HTTP Status Code 200, OK" : "Failure: Connection timed out",
    },
  }));
}

describe("Route 53 checker fraction", () => {
  it("is the share of checkers whose last report is a success", () => {
    expect(checkerFraction(observations(8, 16))).toBe(0.5);
    expect(checkerFraction(observations(0, 16))).toBe(0);
    expect(checkerFraction([])).toBeNull();
  });
});

describe("concurrent probes", () => {
  it("one hung region does not delay the verdict on the others", async () => {
    const arrivals: { region: string; ms: number }[] = [];
    const started = performance.now();
    const source = createHealthSource({
      probe: new HttpProbe({ timeoutMs: 400 }),
      timeoutMs: 600,
      onSample: (s) => arrivals.push({ region: s.region, ms: performance.now() - started }),
    });
    let tracker = initialTracker(["us-east-1", "us-west-2", "eu-west-1"], Date.now());
    const roundTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      const samples = await source.observe(endpoints());
      roundTimes.push(performance.now() - t0);
      tracker = observeSamples(tracker, samples, SETTINGS).tracker;
    }
    // Each round costs the hung region's own timeout, not the sum of everyone's waits.
    for (const t of roundTimes) expect(t).toBeLessThan(1500);
    // The hung region is probed first; the answering regions' samples still arrive before it gives
    // up, as they could not if the probes ran one after another. (Compared by order, not by a margin
    // in milliseconds, which a loaded machine eats.)
    const first = arrivals.slice(0, 3);
    expect(first.map((a) => a.region).at(-1)).toBe("us-east-1");
    const hungAt = first.find((a) => a.region === "us-east-1")?.ms ?? 0;
    expect(hungAt).toBeGreaterThanOrEqual(400);
    expect(tracker["us-east-1"]).toMatchObject({ healthy: false, signals: "probe only" });
    expect(tracker["us-east-1"].lastSample?.detail).toMatch(/no answer within 400 ms/);
    expect(tracker["us-west-2"].healthy).toBe(true);
    expect(tracker["eu-west-1"].healthy).toBe(false);
  });
});

describe("Route 53 API failing", () => {
  it("combines the checkers with the probes while Route 53 answers", async () => {
    const r53 = mockClient(Route53Client);
    r53
      .on(GetHealthCheckStatusCommand, { HealthCheckId: "hc-usw2" })
      .resolves({ HealthCheckObservations: observations(15, 16) });
    // 1 of 6 checkers healthy: under Route 53's 18 % line, the region is down whatever the probe says.
    r53
      .on(GetHealthCheckStatusCommand, { HealthCheckId: "hc-euw1" })
      .resolves({ HealthCheckObservations: observations(1, 6) });
    r53
      .on(GetHealthCheckStatusCommand, { HealthCheckId: "hc-use1" })
      .resolves({ HealthCheckObservations: observations(0, 16) });
    const source = createHealthSource({
      probe: new HttpProbe({ timeoutMs: 300 }),
      timeoutMs: 500,
      checkers: route53CheckerFractions(new Route53Client({ region: "us-east-1" })),
    });
    const samples = await source.observe([
      { region: "us-west-2", url: `${base}/ok`, healthCheckId: "hc-usw2" },
      { region: "eu-west-1", url: `${base}/ok`, healthCheckId: "hc-euw1" },
    ]);
    const by = Object.fromEntries(samples.map((s) => [s.region, s]));
    expect(by["us-west-2"]).toMatchObject({ checkerFraction: 15 / 16, probeOk: true });
    expect(by["eu-west-1"].checkerFraction).toBeCloseTo(1 / 6);
    let tracker = initialTracker(["us-west-2", "eu-west-1"], Date.now());
    for (let i = 0; i < 3; i++)
      tracker = observeSamples(
        tracker,
        samples.map((s) => ({ ...s, at: s.at + i })),
        SETTINGS,
      ).tracker;
    expect(tracker["us-west-2"]).toMatchObject({ healthy: true, signals: "route53+probe" });
    expect(tracker["eu-west-1"].healthy).toBe(false);
    r53.restore();
  });

  it("keeps deciding on the probes alone when Route 53 fails, and the watcher says so", async () => {
    const r53 = mockClient(Route53Client);
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    r53.on(GetHealthCheckStatusCommand).rejects(throttled);
    const health = createHealthSource({
      probe: new HttpProbe({ timeoutMs: 300 }),
      timeoutMs: 500,
      checkers: route53CheckerFractions(new Route53Client({ region: "us-east-1" })),
    });
    const raw = sampleRawConfig({ regions: 3 });
    const config = parseConfig(raw);
    const mem = memoryPorts(config, { state: initialState(config) });
    const eps: RegionEndpoint[] = [
      { region: "us-east-1", url: `${base}/ok`, healthCheckId: "hc-use1" },
      { region: "us-west-2", url: `${base}/ok`, healthCheckId: "hc-usw2" },
      { region: "eu-west-1", url: `${base}/down`, healthCheckId: "hc-euw1" },
    ];
    const watcher = createWatcher({
      config,
      ports: { ...mem.ports, health },
      holder: "t",
      endpoints: eps,
      databaseCheckSeconds: 3600,
    });
    let last;
    for (let i = 0; i < 3; i++) {
      last = await watcher.tick();
      await mem.clock.sleep(10_000);
    }
    expect(last?.regions["us-east-1"]).toMatchObject({ healthy: true, signals: "probe only" });
    expect(last?.regions["eu-west-1"]).toMatchObject({ healthy: false, signals: "probe only" });
    expect(last?.regions["eu-west-1"].detail).toMatch(
      /checkers.*unavailable.*GetHealthCheckStatus failed for every region: Rate exceeded/,
    );
    expect(last?.notes).toContainEqual(
      expect.stringMatching(
        /^no Route 53 checker data for us-east-1, us-west-2, eu-west-1 \(no health check, or the Route 53 API failed\): deciding on the direct probes alone/,
      ),
    );
    // The writer is healthy by its probe: no failover on a Route 53 outage.
    expect(mem.log.of("database", "failover")).toEqual([]);
    r53.restore();
  });

  it("a failing call for one region leaves only that region to its probe", async () => {
    const r53 = mockClient(Route53Client);
    r53
      .on(GetHealthCheckStatusCommand, { HealthCheckId: "hc-usw2" })
      .resolves({ HealthCheckObservations: observations(16, 16) });
    r53.on(GetHealthCheckStatusCommand, { HealthCheckId: "hc-euw1" }).rejects(new Error("NoSuchHealthCheck"));
    const fractions = await route53CheckerFractions(new Route53Client({ region: "us-east-1" }))([
      { region: "us-west-2", url: "x", healthCheckId: "hc-usw2" },
      { region: "eu-west-1", url: "x", healthCheckId: "hc-euw1" },
      { region: "ap-south-1", url: "x" },
    ]);
    expect(Object.fromEntries(fractions)).toEqual({ "us-west-2": 1, "eu-west-1": null, "ap-south-1": null });
    r53.restore();
  });
});
