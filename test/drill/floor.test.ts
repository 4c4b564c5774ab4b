import { describe, expect, it } from "vitest";
import {
  type PartialFaultEvidence,
  faultFloor,
  partialFaultDetectionSeconds,
  partialFaultFloor,
  route53VerdictSeconds,
} from "../../automation/drill/floor";
import type { ProbeAnswer } from "../../automation/drill/probeLog";
import { DRILL_EPOCH_MS } from "../../automation/drill/virtualClock";
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

/** Probe answers every 10 s from `from` s, "x" failed and "." ok, each 0.15 s after it left. */
function answers(from: number, pattern: string, route53Failing: boolean | null = false): ProbeAnswer[] {
  return [...pattern].map((c, i) => ({
    atMs: DRILL_EPOCH_MS + (from + i * 10 + 0.15) * 1000,
    ok: c === ".",
    route53Failing,
  }));
}

describe("the floor of a partial fault", () => {
  // TTL 60 s, a 30 s stack update to move the record, the default 5 % noise bound.
  const s = scenario({ dnsTtlSeconds: 60 });
  const evidence = (e: Partial<PartialFaultEvidence>): PartialFaultEvidence => ({
    badAnswers: [{ from: 300, to: 1000 }],
    probes: [answers(200, `${".".repeat(10)}x.xx`)],
    endSeconds: 1000,
    untilSeconds: 1200,
    writer: false,
    ...e,
  });

  it("knows the fault at the probes' first conclusive answer: three failures in four", () => {
    expect(partialFaultDetectionSeconds(s, 300, [answers(200, `${".".repeat(10)}x.xx`)])).toBe(330.15);
    // Failures before the fault do not date it earlier; two failures are noise.
    expect(partialFaultDetectionSeconds(s, 300, [answers(200, `${".".repeat(10)}x.x.`)])).toBeNull();
    // The earliest of the watcher replicas.
    expect(
      partialFaultDetectionSeconds(s, 300, [
        answers(200, `${".".repeat(10)}x.x.xx`),
        answers(205, `${".".repeat(10)}xxx`),
      ]),
    ).toBe(325.15);
  });

  it("of a degradation Route 53 never sees: detection, the record's move and the TTL", () => {
    // Conclusive at 330.15 s, the record moved by 360.15 s: clients answered at 360 s keep it a TTL.
    expect(partialFaultFloor(s, 300, evidence({}))).toBe(360 + 1 + 60 - 300);
  });

  it("of a degradation Route 53's checkers turn on first: their verdict and the TTL", () => {
    expect(partialFaultFloor(s, 300, evidence({ badAnswers: [{ from: 300, to: 328 }] }))).toBe(
      327 + 1 + 60 - 300,
    );
  });

  it("of a flap: the last down half Route 53 answered in before the record could move", () => {
    const halves = [300, 340, 380, 420].map((from) => ({ from, to: from + 20 }));
    // Conclusive at 355.15 s (two down, two up, two down), moved by 385.15 s: clients answered
    // in the half from 380 s until then keep the region a TTL.
    const probes = [answers(205, `${".".repeat(10)}xx..xx`)];
    expect(partialFaultFloor(s, 300, evidence({ badAnswers: halves, probes }))).toBe(385 + 1 + 60 - 300);
  });

  it("of the writer's region waits for Route 53's checkers to agree", () => {
    const alone = answers(200, `${".".repeat(10)}xxx`);
    const agreed = [...alone, ...answers(330, "x", true)];
    expect(partialFaultDetectionSeconds(s, 300, [alone], true)).toBeNull();
    expect(partialFaultDetectionSeconds(s, 300, [agreed], true)).toBe(330.15);
    expect(partialFaultDetectionSeconds(s, 300, [agreed], false)).toBe(320.15);
    // With Route 53's API out, the probes decide alone.
    expect(partialFaultDetectionSeconds(s, 300, [answers(200, `${".".repeat(10)}xxx`, null)], true)).toBe(
      320.15,
    );
  });

  it("ends with the fault, and is none past the drill's end", () => {
    const none = evidence({ probes: [answers(200, ".".repeat(20))] });
    expect(partialFaultFloor(s, 300, { ...none, endSeconds: 500 })).toBe(499 + 1 + 60 - 300);
    expect(
      partialFaultFloor(s, 300, { ...none, badAnswers: [{ from: 300, to: 1200 }], endSeconds: 1200 }),
    ).toBeNull();
    expect(partialFaultFloor(s, 300, { ...none, badAnswers: [] })).toBe(0);
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
