import { describe, expect, it } from "vitest";
import { faultFloor, route53VerdictSeconds } from "../../automation/drill/floor";
import { randomScenario } from "../../automation/drill/randomScenario";
import { type DrillReport, runDrill } from "../../automation/drill/runner";
import { loadScenarioDir, SHIPPED_DRILLS } from "../../automation/drill/scenarioFiles";
import { unitScenario } from "./unitScenario";

const scenario = unitScenario;

describe("the floor of a fault", () => {
  it.each([
    // interval, threshold, checkers, fault at, verdict: (threshold - 1) x interval + the phase of the 14th checker
    [10, 3, 16, 300, 300 + 20 + 13 * 0.625],
    [10, 1, 16, 300, 300 + 13 * 0.625],
    [30, 3, 16, 300, 300 + 60 + 13 * 1.875],
    // A fault between two probes waits for each checker's next one.
    [10, 3, 16, 301, 300 + 20 + 15 * 0.625],
  ])(
    "Route 53 with %i s checks, threshold %i, %i checkers: fault at %i s, verdict at %f s",
    (interval, threshold, checkers, at, verdict) => {
      const s = scenario({
        healthCheck: { intervalSeconds: interval, failureThreshold: threshold },
        simulation: { checkers },
        // A threshold of 1 is allowed only when a person decides on failover.
        failover: { mode: "manual" },
      });
      expect(route53VerdictSeconds(s, at)).toBeCloseTo(verdict, 6);
    },
  );

  it("is the longer of the clients path and the writer path, not their sum", () => {
    const s = scenario({ dnsTtlSeconds: 60 });
    const writer = faultFloor(s, { kind: "outage", atSeconds: 300 }, true);
    expect(writer.clientsSeconds).toBe(28.125 + 60);
    expect(writer.writerSeconds).toBe(20 + 6 + 60);
    expect(writer.floorSeconds).toBe(88.125);
    // With a 5 s TTL the promotion is what clients wait for.
    const shortTtl = faultFloor(scenario({ dnsTtlSeconds: 5 }), { kind: "outage", atSeconds: 300 }, true);
    expect(shortTtl.floorSeconds).toBe(86);
    // Detach-and-promote when the managed failover is unavailable.
    const detach = faultFloor(
      scenario({ dnsTtlSeconds: 0, database: { managedFailover: false, detachSeconds: 30 } }),
      { kind: "outage", atSeconds: 300 },
      true,
    );
    expect(detach.writerSeconds).toBe(20 + 6 + 30);
    // A secondary has no writer path.
    expect(faultFloor(s, { kind: "outage", atSeconds: 300 }, false).writerSeconds).toBeNull();
  });

  it("of a flap faster than Route 53 ends when the region is back", () => {
    const s = scenario({ dnsTtlSeconds: 60 });
    expect(faultFloor(s, { kind: "flap", atSeconds: 300, periodSeconds: 40 }, false).floorSeconds).toBe(
      20 + 60,
    );
    expect(faultFloor(s, { kind: "flap", atSeconds: 300, periodSeconds: 120 }, false).floorSeconds).toBe(
      88.125,
    );
  });
});

/** Incidents that had an impact must not recover faster than their floor: a floor below RTO is wrong. */
function belowFloor(report: DrillReport): string[] {
  return report.incidents
    .filter((i) => i.floorSeconds !== null && i.rtoSeconds !== null && i.rtoSeconds > 0)
    .filter((i) => (i.rtoSeconds as number) < (i.floorSeconds as number))
    .map(
      (i) =>
        `${report.scenario} seed ${report.seed}: ${i.kind} ${i.region} at ${i.atSeconds} s: RTO ${i.rtoSeconds} s < floor ${i.floorSeconds} s`,
    );
}

describe("the floor is a lower bound", () => {
  it("on every incident of every shipped drill", async () => {
    const out: string[] = [];
    let judged = 0;
    for (const { scenario: s } of loadScenarioDir(SHIPPED_DRILLS)) {
      const { report } = await runDrill(s, { seed: 1 });
      judged += report.incidents.filter((i) => i.floorSeconds !== null && (i.rtoSeconds ?? 1) > 0).length;
      out.push(...belowFloor(report));
    }
    expect(judged).toBeGreaterThanOrEqual(6);
    expect(out).toEqual([]);
  });

  it("with a TTL of 0, where detection and promotion are all there is", async () => {
    for (const { scenario: s } of loadScenarioDir(SHIPPED_DRILLS)) {
      const { report } = await runDrill({ ...s, dnsTtlSeconds: 0 }, { seed: 1 });
      expect(belowFloor(report)).toEqual([]);
    }
  });

  it("on every incident of 200 random schedules", async () => {
    const out: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const { report } = await runDrill(randomScenario(seed, 1500), { seed });
      out.push(...belowFloor(report));
    }
    expect(out).toEqual([]);
  }, 300_000);
});
