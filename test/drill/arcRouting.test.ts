import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { faultFloor } from "../../automation/drill/floor";
import { route53IntervalSeconds } from "../../automation/drill/route53Interval";
import type { DrillRun } from "../../automation/drill/runner";
import { validateScenario } from "../../automation/drill/scenario";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";
import { shippedDrill as drill } from "../support/shippedDrill";

const ARC = "arc-primary-outage";
const HC = "arc-primary-outage-health-check";
const ARC_SECONDARY = "arc-secondary-outage";
const HC_SECONDARY = "arc-secondary-outage-health-check";

const outage = async (name: string) => {
  const incident = (await drill(name)).report.incidents.find((i) => i.kind === "outage");
  if (incident?.rtoSeconds === null || incident?.rtoSeconds === undefined) throw new Error(`${name}: no RTO`);
  return { rto: incident.rtoSeconds, floor: incident.floorSeconds as number };
};

const atOf = (run: DrillRun, kind: string, pattern: RegExp = /./): number | undefined =>
  run.report.timeline.find((e) => e.kind === kind && pattern.test(e.message))?.atSeconds;

describe("drill: ARC routing controls", () => {
  it.each([ARC, HC, ARC_SECONDARY, HC_SECONDARY])(
    "%s holds every invariant and meets its expectations",
    async (name) => {
      const { report } = await drill(name);
      expect(report.invariantViolations).toEqual([]);
      expect(report.expectationFailures).toEqual([]);
    },
  );

  it("Route 53 stops answering with the failed writer one flip after the failover starts, before any stack update", async () => {
    const run = await drill(ARC);
    const started = atOf(run, "operation-started", /failover/) as number;
    const answer = atOf(run, "dns-answer", /us-west-2/) as number;
    expect(answer - started).toBeGreaterThanOrEqual(1);
    expect(answer - started).toBeLessThanOrEqual(2);
    // The render comes after the move, off the critical path.
    const stack = atOf(run, "step-started", /failover\/stack/) as number;
    expect(stack).toBeGreaterThan(atOf(run, "writes-accepted") as number);
    expect(atOf(run, "clients-recovered") as number).toBeCloseTo(answer + 5, 0);
  });

  it("with health-check routing, the same outage moves clients only on Route 53's verdict", async () => {
    const run = await drill(HC);
    expect(run.report.timeline.some((e) => /routing control/.test(e.message))).toBe(false);
    const verdict = atOf(run, "route53-unhealthy", /us-east-1/) as number;
    // Route 53's shortest interval: 14 of 16 checkers must fail 3 probes 10 s apart.
    expect(verdict - 300).toBeGreaterThanOrEqual(20);
  });

  it("the ARC floor is controller detection + flip + TTL, at most half the health-check floor at the same settings", async () => {
    const arc = (await drill(ARC)).report.incidents.find((i) => i.kind === "outage");
    const hc = (await drill(HC)).report.incidents.find((i) => i.kind === "outage");
    const s = loadScenario(path.join(SHIPPED_DRILLS, `${ARC}.yaml`));
    const floor = faultFloor(s, { kind: "outage", atSeconds: 300 }, true);
    // 3 probes 2 s apart, the last timing out after 1 s, 0.5 s for the replicas to share their
    // verdicts; a 1-s flip; the 5-s TTL.
    expect(floor.clientsSeconds).toBe(2 * 2 + 1 + 0.5 + 1 + 5);
    expect(floor.writerSeconds).toBe(2 * 2 + 1 + 0.5 + 10);
    expect(arc?.floorSeconds).toBe(floor.floorSeconds);
    expect(arc?.floorSeconds as number).toBeLessThanOrEqual(0.5 * (hc?.floorSeconds as number));
    // RTO never beats its floor, and ARC never does worse than health checks.
    expect(arc?.rtoSeconds as number).toBeGreaterThanOrEqual(arc?.floorSeconds as number);
    expect(arc?.rtoSeconds as number).toBeLessThanOrEqual(hc?.rtoSeconds as number);
  });
});

describe("figure: ARC routing with 2-s probes against health-check routing, same scenario and TTL", () => {
  it("a serving secondary's outage: the ARC RTO is at most half the health-check RTO", async () => {
    const arc = await outage(ARC_SECONDARY);
    const hc = await outage(HC_SECONDARY);
    // 3 probes 2 s apart, the last timing out after 1 s, 0.5 s to share verdicts, a 1-s flip, the
    // 5-s TTL; against 14 of 16 checkers failing 3 probes 10 s apart, then the TTL.
    expect(arc.floor).toBe(2 * 2 + 1 + 0.5 + 1 + 5);
    expect(hc.floor).toBeCloseTo(20 + 13 * 0.625 + 5, 3);
    expect(arc.rto).toBeGreaterThanOrEqual(arc.floor);
    expect(arc.rto / hc.rto).toBeLessThanOrEqual(0.5);
  });

  it("the writer's outage: the ARC RTO is at most half the health-check RTO", async () => {
    const arc = await outage(ARC);
    const hc = await outage(HC);
    expect(arc.floor / hc.floor).toBeLessThanOrEqual(0.5);
    expect(arc.rto).toBeGreaterThanOrEqual(arc.floor);
    expect(arc.rto / hc.rto).toBeLessThanOrEqual(0.5);
  });

  it("the writer's outage: the two surviving replicas fail it over before Route 53's checkers call it failing", async () => {
    const run = await drill(ARC);
    const started = atOf(run, "operation-started", /failover/) as number;
    // Three failed probes 2 s apart, the last timing out, the verdicts shared: well inside the
    // 20-odd seconds Route 53's checkers need at their 10-s interval.
    expect(started - 300).toBeLessThan(8);
    expect(
      run.report.timeline.some((e) => e.kind === "leader" && /us-west-2|eu-west-1/.test(e.message)),
    ).toBe(true);
  });

  it("with health-check routing the replicas move the writer as fast, and clients wait for Route 53", async () => {
    const arc = await drill(ARC);
    const hc = await drill(HC);
    const writes = (run: DrillRun) => (atOf(run, "writes-accepted") as number) - 300;
    const clients = (run: DrillRun) => (atOf(run, "clients-recovered") as number) - 300;
    expect(writes(hc)).toBe(writes(arc));
    expect(clients(hc)).toBeGreaterThan(2 * clients(arc));
  });
});

describe("scenario: dnsControl and the probe interval", () => {
  const base = {
    name: "x",
    regions: ["us-east-1", "us-west-2"],
    versions: { "1.0.0": { errorRate: 0 } },
    initialVersion: "1.0.0",
    until: 100,
  };

  it("allows probes every 2 s with ARC routing", () => {
    const r = validateScenario({ ...base, dnsControl: "arc", healthCheck: { intervalSeconds: 2 } });
    expect(r.ok).toBe(true);
  });

  it("allows probes every 2 s with health-check routing too: Route 53's checkers run every 10 s", () => {
    const r = validateScenario({ ...base, healthCheck: { intervalSeconds: 2 } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(route53IntervalSeconds(r.scenario)).toBe(10);
  });

  it("refuses a probe interval outside 1 to 30 s, naming the field", () => {
    const r = validateScenario({ ...base, healthCheck: { intervalSeconds: 45 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain("healthCheck.intervalSeconds");
  });

  it("refuses an unknown dnsControl", () => {
    const r = validateScenario({ ...base, dnsControl: "dns" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain("dnsControl");
  });
});
