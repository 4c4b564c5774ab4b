import { describe, expect, it } from "vitest";
import { EndpointCheckers } from "../../automation/drill/route53Checkers";
import { runDrill } from "../../automation/drill/runner";
import { type Scenario, validateScenario } from "../../automation/drill/scenario";

function scenario(raw: Record<string, unknown>): Scenario {
  const parsed = validateScenario({
    name: "unit",
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
    versions: { "1.0.0": { errorRate: 0.001 } },
    initialVersion: "1.0.0",
    until: 1200,
    ...raw,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario;
}

describe("Route 53 checkers", () => {
  const settings = { seed: 1, checkers: 16, intervalMs: 10_000, failureThreshold: 3, timeoutMs: 6000 };

  it("turn an endpoint unhealthy between 2 and 3 intervals after it goes down", () => {
    const downAt = 100_000;
    const c = new EndpointCheckers("r", settings, 0, (ms) => ({
      reachable: ms < downAt,
      errorRate: 0,
      latencyMs: 40,
    }));
    let detected = -1;
    for (let ms = 0; ms <= 200_000; ms += 100) {
      if (!c.healthyAt(ms)) {
        detected = ms;
        break;
      }
    }
    expect(detected - downAt).toBeGreaterThanOrEqual(2 * settings.intervalMs);
    expect(detected - downAt).toBeLessThanOrEqual(3 * settings.intervalMs);
  });

  it("keep an endpoint healthy while more than 18 % of checkers reach it in time", () => {
    // 5.8 s of server time: only checkers less than 200 ms away answer within 6 s.
    const slow = new EndpointCheckers("r", settings, 0, () => ({
      reachable: true,
      errorRate: 0,
      latencyMs: 5800,
    }));
    const fraction = slow.fractionAt(120_000);
    expect(fraction).toBeGreaterThan(0.18);
    expect(fraction).toBeLessThan(1);
    expect(slow.healthyAt(120_000)).toBe(true);
    const slower = new EndpointCheckers("r", settings, 0, () => ({
      reachable: true,
      errorRate: 0,
      latencyMs: 5990,
    }));
    expect(slower.fractionAt(120_000)).toBeLessThanOrEqual(0.18);
    expect(slower.healthyAt(120_000)).toBe(false);
  });
});

describe("simulated cloud", () => {
  it("moves clients only a TTL after Route 53 stops answering with a dead region", async () => {
    const rto = async (ttl: number): Promise<number> => {
      const s = scenario({
        routing: "latency",
        dnsTtlSeconds: ttl,
        failover: { mode: "manual" },
        events: [{ at: 300, outage: { region: "eu-west-1" } }],
      });
      const { report } = await runDrill(s, { seed: 3 });
      return report.incidents[0].rtoSeconds as number;
    };
    const fast = await rto(0);
    const slow = await rto(60);
    // Detection by the checkers (2-3 intervals), then every cached answer expires.
    expect(fast).toBeGreaterThanOrEqual(20);
    expect(fast).toBeLessThanOrEqual(31);
    expect(slow - fast).toBe(60);
  });

  it("promotes the database in failoverSeconds and loses the target's lag at the fault", async () => {
    const run = async (failoverSeconds: number) =>
      (
        await runDrill(
          scenario({
            database: { failoverSeconds, lagSeconds: 2 },
            events: [{ at: 300, outage: { region: "us-east-1" } }],
          }),
          { seed: 5 },
        )
      ).report;
    const quick = await run(30);
    const slow = await run(150);
    const done = (r: typeof quick): number =>
      r.timeline.find((e) => e.kind === "db-failover-done")?.atSeconds as number;
    const started = (r: typeof quick): number =>
      r.timeline.find((e) => e.kind === "db-failover-started")?.atSeconds as number;
    expect(done(quick) - started(quick)).toBe(30);
    expect(done(slow) - started(slow)).toBe(150);
    // Slow: the promotion is the critical path. Quick: the DNS side is (detection + TTL).
    expect(slow.incidents[0].rtoSeconds as number).toBeGreaterThanOrEqual(20 + 150);
    expect(quick.incidents[0].rtoSeconds as number).toBeLessThanOrEqual(30 + 60 + 1);
    // The lag is drawn around 2 s (0.6x-1.4x) per region and seed.
    expect(quick.incidents[0].rpoSeconds).toBeGreaterThanOrEqual(1.2);
    expect(quick.incidents[0].rpoSeconds).toBeLessThanOrEqual(2.8);
  });

  it("fails a stack update for a region that is down, but not for one left out of it", async () => {
    const { report } = await runDrill(
      scenario({
        events: [
          { at: 100, outage: { region: "eu-west-1" } },
          { at: 110, deploy: { version: "1.0.1", strategy: "rolling" } },
        ],
        versions: { "1.0.0": { errorRate: 0.001 }, "1.0.1": { errorRate: 0.001 } },
      }),
      { seed: 2 },
    );
    const deploy = report.operations.find((o) => o.kind === "deploy");
    // Either the preflight saw eu-west-1 failing, or its update failed: it never reaches 1.0.1.
    expect(deploy?.outcome).not.toBe("succeeded");
    expect(report.regions["eu-west-1"].version).toBe("1.0.0");
  });
});
