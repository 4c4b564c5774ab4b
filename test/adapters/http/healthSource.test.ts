import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHealthSource } from "../../../automation/adapters/http/healthSource";
import { HttpProbe, type Probe } from "../../../automation/adapters/http/httpProbe";
import { sampleHealthy } from "../../../automation/health/sampleVerdict";
import type { HealthSample, RegionEndpoint } from "../../../automation/ports";
import { startServer } from "./testServer";

let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === "/us-east-1/health") setTimeout(() => res.writeHead(200).end(), 30);
    else if (req.url === "/eu-west-1/health") res.writeHead(500).end();
    else if (req.url?.endsWith("/health") === true && !req.url.includes("hung")) res.writeHead(200).end();
    // every *hung* region accepts the connection and never answers
  });
});
afterAll(() => server.close());

function endpoint(region: string, path = region): RegionEndpoint {
  return { region, url: `${server.url}/${path}/health` };
}

/** Runs an observation and notes when each region's sample became available. */
async function timedObserve(
  source: ReturnType<typeof createHealthSource>,
  regions: RegionEndpoint[],
  arrivals: Map<string, number>,
) {
  const started = performance.now();
  const samples = await source.observe(regions);
  return {
    samples,
    totalMs: performance.now() - started,
    arrivalMs: (r: string) => (arrivals.get(r) ?? NaN) - started,
  };
}

describe("createHealthSource", () => {
  it("settles every region on its own: the hung one times out, the others are judged at once", async () => {
    const arrivals = new Map<string, number>();
    const source = createHealthSource({
      probe: new HttpProbe({ timeoutMs: 1_000 }),
      timeoutMs: 1_000,
      onSample: (s) => arrivals.set(s.region, performance.now()),
    });
    const regions = [
      endpoint("us-east-1"),
      endpoint("us-west-2", "us-west-2-hung"),
      endpoint("eu-west-1"),
      endpoint("ap-south-1"),
    ];
    const { samples, totalMs, arrivalMs } = await timedObserve(source, regions, arrivals);

    expect(samples.map((s) => [s.region, s.probeOk, s.checkerFraction])).toEqual([
      ["us-east-1", true, null],
      ["us-west-2", false, null],
      ["eu-west-1", false, null],
      ["ap-south-1", true, null],
    ]);
    expect(samples[1].detail).toBe("probe: no answer within 1000 ms");
    expect(samples.map(sampleHealthy)).toEqual([true, false, false, true]);
    for (const fast of ["us-east-1", "eu-west-1", "ap-south-1"]) expect(arrivalMs(fast)).toBeLessThan(400);
    expect(arrivalMs("us-west-2")).toBeGreaterThanOrEqual(990);
    expect(totalMs).toBeLessThan(1_600);
  });

  it("costs one timeout, not one per hung region", async () => {
    const source = createHealthSource({ probe: new HttpProbe({ timeoutMs: 500 }), timeoutMs: 500 });
    const regions = ["a-hung", "b-hung", "c-hung", "d-hung", "e-hung"].map((p) => endpoint(p, p));
    const started = performance.now();
    const samples = await source.observe(regions);
    const took = performance.now() - started;
    expect(samples.every((s) => s.probeOk === false)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(1_200);
  });

  it("bounds a probe that ignores its signal with the region's own deadline", async () => {
    const stubborn: Probe = {
      check: (url) =>
        url.includes("stuck")
          ? new Promise(() => undefined)
          : Promise.resolve({ ok: true, status: 200, latencyMs: 1, detail: "HTTP 200 in 1 ms" }),
    };
    const arrivals = new Map<string, number>();
    const source = createHealthSource({
      probe: stubborn,
      timeoutMs: 300,
      onSample: (s) => arrivals.set(s.region, performance.now()),
    });
    const { samples, arrivalMs } = await timedObserve(
      source,
      [endpoint("stuck"), endpoint("fine")],
      arrivals,
    );
    expect(samples.map((s) => [s.region, s.probeOk, s.detail])).toEqual([
      ["stuck", false, "probe: no answer within 300 ms"],
      ["fine", true, "probe: HTTP 200 in 1 ms"],
    ]);
    expect(arrivalMs("fine")).toBeLessThan(100);
  });

  it("plugs in Route 53 checker fractions per region and keeps regions it has no figure for null", async () => {
    const asked: string[][] = [];
    const source = createHealthSource({
      probe: new HttpProbe({ timeoutMs: 1_000 }),
      checkers: async (regions) => {
        asked.push(regions.map((r) => r.region));
        return new Map([
          ["us-east-1", 0.94],
          ["eu-west-1", 0.12],
        ]);
      },
      now: () => 1_700_000_000_000,
    });
    const samples = await source.observe([
      endpoint("us-east-1"),
      endpoint("eu-west-1"),
      endpoint("ap-south-1"),
    ]);
    expect(asked).toEqual([["us-east-1", "eu-west-1", "ap-south-1"]]);
    expect(samples).toEqual<HealthSample[]>([
      {
        region: "us-east-1",
        at: 1_700_000_000_000,
        checkerFraction: 0.94,
        probeOk: true,
        detail: expect.stringMatching(/^probe: HTTP 200 in \d+ ms; checkers: 94% healthy$/),
      },
      {
        region: "eu-west-1",
        at: 1_700_000_000_000,
        checkerFraction: 0.12,
        probeOk: false,
        detail: expect.stringMatching(/^probe: HTTP 500 in \d+ ms; checkers: 12% healthy$/),
      },
      {
        region: "ap-south-1",
        at: 1_700_000_000_000,
        checkerFraction: null,
        probeOk: true,
        detail: expect.stringMatching(/^probe: HTTP 200 in \d+ ms$/),
      },
    ]);
  });

  it("leaves checker fractions null when the checker lookup fails or hangs, without holding the probes", async () => {
    const failing = createHealthSource({
      probe: new HttpProbe(),
      checkers: () => Promise.reject(new Error("Throttling: Rate exceeded")),
    });
    const [s] = await failing.observe([endpoint("us-east-1")]);
    expect(s).toMatchObject({ checkerFraction: null, probeOk: true });
    expect(s.detail).toMatch(/checkers: unavailable \(Throttling: Rate exceeded\)$/);

    const hanging = createHealthSource({
      probe: new HttpProbe(),
      checkers: () => new Promise(() => undefined),
      timeoutMs: 300,
    });
    const started = performance.now();
    const [h] = await hanging.observe([endpoint("us-east-1")]);
    expect(h).toMatchObject({ checkerFraction: null, probeOk: true });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("abstains (probeOk null) when the probe itself breaks, and rejects when the caller aborts", async () => {
    const broken = createHealthSource({ probe: { check: () => Promise.reject(new Error("bug")) } });
    expect(await broken.observe([endpoint("us-east-1")])).toMatchObject([
      { probeOk: null, detail: "probe: could not run (bug)" },
    ]);

    const source = createHealthSource({ probe: new HttpProbe({ timeoutMs: 5_000 }), timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(source.observe([endpoint("x-hung", "x-hung")], controller.signal)).rejects.toThrow("stop");
  });
});
