import { describe, expect, it } from "vitest";
import { shippedDrill as drill } from "../support/shippedDrill";

const SHIPPED = [
  "bad-canary-rollback",
  "primary-outage-auto-failover",
  "primary-outage-manual",
  "flapping-secondary",
  "replication-break-repair",
  "outage-during-blue-green",
  "planned-switchover-and-back",
  "api-outage-during-recovery",
  "api-errors-retried",
  "detach-failover",
  "detach-target-dies",
  "abort-paused-release-region-down",
];

describe("shipped drills", () => {
  it.each(SHIPPED)("%s holds every invariant and meets its expectations", async (name) => {
    const { report } = await drill(name);
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    const last = report.operations.at(-1);
    if (last !== undefined)
      expect(["succeeded", "rolledback", "failed", "aborted", "paused"]).toContain(last.outcome);
  });

  it("rolls a bad canary back in every region and never fails over", async () => {
    const { report } = await drill("bad-canary-rollback");
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual(["deploy rolledback"]);
    for (const r of Object.values(report.regions)) expect(r.version).toBe("1.0.0");
    expect(report.timeline.some((e) => e.kind === "step-finished" && /analysis failed/.test(e.message))).toBe(
      true,
    );
  });

  it("an abort of a release paused while its region is down leaves that region out, and the readmission renders it", async () => {
    const { report } = await drill("abort-paused-release-region-down");
    // The rollback restores the region in the state without calling it (no impaired-region call).
    expect(report.invariantViolations).toEqual([]);
    const restore = report.timeline.find(
      (e) => e.kind === "step-finished" && /rollback\/restore ok/.test(e.message),
    );
    expect(restore?.message).toMatch(/eu-west-1 failing, not called: restored in state/);
    expect(restore?.atSeconds as number).toBeLessThan(1021);
    // Held out, then readmitted on recovery: its stack runs the previous version again.
    expect(report.operations.map((o) => `${o.kind} ${o.outcome}`)).toEqual([
      "deploy aborted",
      "traffic succeeded",
      "traffic succeeded",
    ]);
    expect(report.regions["eu-west-1"]).toMatchObject({ version: "1.0.0", serving: true });
  });

  it("fails over automatically within 1.05 x the floor, losing at most the replication lag", async () => {
    const { report } = await drill("primary-outage-auto-failover");
    const outage = report.incidents.find((i) => i.kind === "outage");
    // Clients: 14 of 16 checkers 0.625 s apart must fail 3 probes 10 s apart, then the 60 s TTL.
    // Writer: 3 samples 10 s apart, the last timing out after 6 s, then a 60 s promotion (86 s).
    expect(outage?.floorSeconds).toBe(20 + 13 * 0.625 + 60);
    expect(outage?.rtoSeconds).not.toBeNull();
    expect(outage?.rtoSeconds as number).toBeLessThanOrEqual(1.05 * (outage?.floorSeconds as number));
    // RTO cannot beat the database promotion: the writer is down until it finishes.
    expect(outage?.rtoSeconds as number).toBeGreaterThanOrEqual(60);
    expect(outage?.rpoSeconds).toBeGreaterThan(0);
    expect(outage?.rpoSeconds).toBeLessThanOrEqual(1);
    const kinds = report.operations.map((o) => `${o.kind} ${o.outcome}`);
    expect(kinds[0]).toBe("failover succeeded");
    expect(kinds).toContain("failback succeeded");
    expect(report.finalWriter).toBe("us-east-1");
  });

  it("in manual mode reports the failover command with exit 3 (waiting for a person) and changes nothing", async () => {
    const { report } = await drill("primary-outage-manual");
    expect(report.operations).toEqual([]);
    const decision = report.timeline.find(
      (e) => e.kind === "decision" && e.message.startsWith("failover reported"),
    );
    expect(decision?.message).toMatch(/regionctl failover .*--to us-west-2/);
    expect(decision?.message).toMatch(/exit 3/);
    const outage = report.incidents.find((i) => i.kind === "outage");
    // Nothing accepts writes until the region itself is back, 1200 s after the fault.
    expect(outage?.rtoSeconds as number).toBeGreaterThanOrEqual(1200);
    expect(report.finalWriter).toBe("us-east-1");
  });

  it("holds the flapping secondary out of traffic, then readmits it", async () => {
    const { report } = await drill("flapping-secondary");
    expect(report.operations.map((o) => o.id.split("-")[0])).toEqual(["holdout", "readmit"]);
    const drained = report.timeline.find((e) => e.kind === "region-drained");
    expect(drained?.region).toBe("eu-west-1");
    expect(report.regions["eu-west-1"].serving).toBe(true);
  });

  it("repairs a broken replication member through a stack update of that region", async () => {
    const { report } = await drill("replication-break-repair");
    expect(report.timeline.some((e) => e.kind === "repair-queued" && e.region === "us-west-2")).toBe(true);
    expect(report.timeline.some((e) => e.kind === "db-rebuilt" && e.region === "us-west-2")).toBe(true);
    expect(report.operations.at(-1)?.outcome).toBe("succeeded");
  });

  it("switches the writer over and back with no data loss", async () => {
    const { report } = await drill("planned-switchover-and-back");
    // The writes pause while the database switches over, and nothing else is hurt.
    expect(report.incidents.map((i) => i.kind)).toEqual(["switchover-impact", "switchover-impact"]);
    for (const i of report.incidents) expect(i.rtoSeconds).toBeLessThanOrEqual(60 + 1);
    expect(report.availability.requests).toBeGreaterThan(0.99);
    const writers = report.timeline.filter((e) => e.kind === "db-switchover-done").map((e) => e.region);
    expect(writers).toEqual(["us-west-2", "us-east-1"]);
  });

  it("recovers through an outage of the Route 53 status API and the target's RDS endpoint", async () => {
    const { report } = await drill("api-outage-during-recovery");
    expect(report.timeline.filter((e) => e.kind === "api-error").length).toBeGreaterThanOrEqual(10);
    const outage = report.incidents.find((i) => i.kind === "outage");
    expect(outage?.rtoSeconds as number).toBeLessThanOrEqual(1.05 * (outage?.floorSeconds as number));
  });

  it("retries transient RDS errors, names the writer only once the database has it, and defers a failed DNS update", async () => {
    const { report } = await drill("api-errors-retried");
    const at = (kind: string, region?: string): number[] =>
      report.timeline
        .filter((e) => e.kind === kind && (region === undefined || e.region === region))
        .map((e) => e.atSeconds);
    // Five RDS errors in the target region were absorbed by the failover's retries.
    expect(report.timeline.filter((e) => e.kind === "api-error" && e.region === "us-west-2")).toHaveLength(5);
    expect(at("db-failover-started", "us-west-2")).toHaveLength(1);
    // The state never named a writer the database did not have.
    const promoted = at("db-failover-done", "us-west-2")[0];
    const named = report.timeline.filter((e) => e.kind === "state-writer").map((e) => e.atSeconds);
    expect(named).toHaveLength(1);
    expect(named[0]).toBeGreaterThanOrEqual(promoted);
    // The records' update failed past its retries and was deferred; the watcher's retry landed it.
    expect(report.operations.map((o) => `${o.id.split("-")[0]} ${o.outcome}`).slice(0, 2)).toEqual([
      "failover succeeded",
      "reconcile succeeded",
    ]);
    expect(
      report.timeline.some(
        (e) =>
          e.kind === "step-finished" && /failover\/stack ok: deferred with failover\/traffic/.test(e.message),
      ),
    ).toBe(true);
    const outage = report.incidents.find((i) => i.kind === "outage");
    expect(outage?.rtoSeconds as number).toBeLessThanOrEqual(1.1 * (outage?.floorSeconds as number));
  });

  it("detach fallback: confirms the standalone writer, fences the old one, rebuilds it as a secondary", async () => {
    const { report } = await drill("detach-failover");
    expect(report.invariantViolations).toEqual([]);
    const event = (kind: string, region?: string) =>
      report.timeline.find((e) => e.kind === kind && (region === undefined || e.region === region));
    const detached = event("db-detached", "us-west-2");
    expect(detached).toBeDefined();
    // awaitWriter confirmed the standalone writer through its own cluster, at once, not after 900 s;
    // the move waits only for the fence's stack update, queued behind the traffic move's.
    const move = report.timeline.find(
      (e) => e.kind === "step-finished" && /failover\/move ok/.test(e.message),
    );
    expect((move?.atSeconds as number) - (detached?.atSeconds as number)).toBeLessThan(40);
    // The old writer's cluster was unavailable, so the fence overlapped the detach: the writer
    // accepts writes about one detach after detection.
    const detected = event("incident-recorded");
    expect((detached?.atSeconds as number) - (detected?.atSeconds as number)).toBeLessThan(32);
    expect(report.operations[0]).toMatchObject({ kind: "failover", outcome: "succeeded" });
    // The old writer came back as the old global cluster's writer, took no writes, and was rebuilt.
    const back = event("db-old-writer-back", "us-east-1");
    const rebuilt = event("db-rebuilt", "us-east-1");
    expect(back?.atSeconds).toBe(1500);
    expect(rebuilt?.atSeconds as number).toBeGreaterThan(1500);
    // Its repair stopped it before bringing the region back under stack management.
    const fenced = event("db-fenced", "us-east-1");
    expect(fenced?.atSeconds as number).toBeGreaterThan(1500);
    expect(fenced?.atSeconds as number).toBeLessThanOrEqual(
      event("region-included", "us-east-1")?.atSeconds as number,
    );
    expect(report.timeline.some((e) => e.kind === "writes-refused" && e.atSeconds >= 1500)).toBe(false);
    expect(report.finalWriter).toBe("us-west-2");
    expect(event("region-readmitted", "us-east-1")?.atSeconds as number).toBeGreaterThan(
      rebuilt?.atSeconds as number,
    );
  });

  it("detach target dies: fails over again at once, and fences both returning clusters before rebuilding them", async () => {
    const { report } = await drill("detach-target-dies");
    expect(report.invariantViolations).toEqual([]);
    const at = (kind: string, region: string) =>
      report.timeline.filter((e) => e.kind === kind && e.region === region).map((e) => e.atSeconds);
    // The first target is abandoned as soon as the watcher finds its region failing, not after
    // an update that cannot land: the second detach starts within the detection time.
    const [lost] = at("health-unhealthy", "us-west-2");
    const failed = report.operations[0];
    expect(failed).toMatchObject({ kind: "failover", outcome: "failed" });
    expect(failed.reason).toMatch(/us-west-2 failed while it was being promoted/);
    const [second] = at("db-detached", "eu-west-1");
    expect(second - lost).toBeLessThan(120);
    // Each dead region came back with a writable cluster, took no writes, and was stopped before
    // anything brought its region back under stack management.
    for (const [region, back] of [
      ["us-east-1", 1200],
      ["us-west-2", 1500],
    ] as const) {
      const [fenced] = at("db-fenced", region);
      const [rebuilt] = at("db-rebuilt", region);
      expect(at("db-old-writer-back", region)).toEqual([back]);
      expect(fenced).toBeGreaterThan(back);
      expect(fenced).toBeLessThanOrEqual(at("region-included", region)[0]);
      expect(rebuilt).toBeGreaterThan(fenced);
      expect(at("region-readmitted", region)[0]).toBeGreaterThan(rebuilt);
    }
    expect(report.finalWriter).toBe("eu-west-1");
  });
});
