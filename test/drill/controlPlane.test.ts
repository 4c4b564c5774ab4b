import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ControlPlanePlacement } from "../../automation/drill/placement";
import { type DrillRun, runDrill } from "../../automation/drill/runner";
import { validateScenario } from "../../automation/drill/scenario";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";
import { unitScenario } from "./unitScenario";

function drill(name: string, seed = 1): Promise<DrillRun> {
  return runDrill(loadScenario(path.join(SHIPPED_DRILLS, `${name}.yaml`)), { seed });
}

const leaders = (run: DrillRun): string[] =>
  run.report.timeline.filter((e) => e.kind === "leader").map((e) => e.region ?? "");

describe("control-plane drills", () => {
  it("a writer-region outage that takes the leader, a store replica and the backend stays within 1.05 x the floor", async () => {
    const run = await drill("control-plane-writer-region-outage");
    const { report } = run;
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    // The leader died with the writer's region; a standby elsewhere took over.
    expect(leaders(run)).toEqual(["us-east-1", "us-west-2"]);
    const outage = report.incidents.find((i) => i.kind === "outage");
    expect(outage?.floorSeconds).not.toBeNull();
    expect(outage?.rtoSeconds as number).toBeLessThanOrEqual(1.05 * (outage?.floorSeconds as number));
    expect(report.finalWriter).toBe("us-west-2");
    // The failover's stack updates could not reach the backend in us-east-1; the promotion did not wait on them.
    expect(report.timeline.some((e) => /Pulumi backend in us-east-1 did not answer/.test(e.message))).toBe(
      true,
    );
  });

  it("a partition between the leader and the writer, then a secondary, moves nothing", async () => {
    const { report } = await drill("control-plane-partial-partition");
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(report.operations).toEqual([]);
    const escalation = report.timeline.find(
      (e) => e.kind === "decision" && /escalate reported/.test(e.message),
    );
    expect(escalation?.message).toMatch(/1 of 4 vantage points see us-east-1 down/);
  });

  it("a leader killed mid-failover: the new leader resumes the operation, and each step runs once", async () => {
    const run = await drill("control-plane-leader-dies-mid-failover");
    const { report } = run;
    expect(report.invariantViolations).toEqual([]);
    expect(report.expectationFailures).toEqual([]);
    expect(leaders(run)).toEqual(["us-east-2", "eu-west-1"]);
    const failovers = report.operations.filter((o) => o.kind === "failover");
    expect(failovers.map((o) => o.outcome)).toEqual(["succeeded"]);
    expect(
      report.timeline.filter((e) => e.kind === "decision" && /resume started/.test(e.message)),
    ).toHaveLength(1);
    expect(report.timeline.filter((e) => e.kind === "db-failover-started")).toHaveLength(1);
    const finished = report.timeline
      .filter((e) => e.kind === "step-finished" && e.message.startsWith(failovers[0].id))
      .map((e) => e.message.split(": ")[1].split(" ")[0]);
    expect(finished).toEqual([...new Set(finished)]);
    expect(finished).toContain("failover/move");
    expect(finished).toContain("failover/stack");
  });

  it("without a controlPlane block one watcher runs, and nothing it relies on fails with a region", async () => {
    const { report } = await drill("primary-outage-auto-failover");
    expect(report.timeline.some((e) => e.kind === "leader")).toBe(false);
    expect(report.operations[0]).toMatchObject({ kind: "failover", outcome: "succeeded" });
  });
});

describe("control-plane placement", () => {
  const spec = (stateStore: unknown) =>
    unitScenario({
      controlPlane: {
        watchers: ["us-east-1", "us-west-2", "eu-west-1"],
        stateStore,
        pulumiBackendRegion: "us-west-2",
      },
    }).controlPlane;

  it.each([
    {
      store: { kind: "dynamodb", regions: ["us-east-1", "us-east-2", "us-west-2"] },
      out: [],
      available: true,
    },
    {
      store: { kind: "dynamodb", regions: ["us-east-1", "us-east-2", "us-west-2"] },
      out: ["us-east-1"],
      available: true,
    },
    {
      store: { kind: "dynamodb", regions: ["us-east-1", "us-east-2", "us-west-2"] },
      out: ["us-east-1", "us-west-2"],
      available: false,
    },
    { store: { kind: "s3", region: "us-east-1" }, out: ["us-east-1"], available: false },
    { store: { kind: "s3", region: "us-east-1" }, out: ["us-west-2"], available: true },
  ])("store $store.kind with $out out: available $available", ({ store, out, available }) => {
    const p = new ControlPlanePlacement(spec(store));
    for (const r of out) p.outage(r);
    expect(p.storeAvailable()).toBe(available);
  });

  it("an outage takes the backend, the watcher and, in us-east-1, Route 53's control plane; recover brings them back", () => {
    const p = new ControlPlanePlacement(spec(undefined));
    p.outage("us-west-2");
    expect(p.backendUp()).toBe(false);
    expect(p.watcherUp("us-west-2")).toBe(false);
    expect(p.route53ControlPlaneUp()).toBe(true);
    p.outage("us-east-1");
    expect(p.route53ControlPlaneUp()).toBe(false);
    p.recover("us-east-1");
    p.recover("us-west-2");
    expect([p.backendUp(), p.watcherUp("us-west-2"), p.route53ControlPlaneUp()]).toEqual([true, true, true]);
  });

  it("says why the store does not answer", () => {
    const s3 = new ControlPlanePlacement(spec({ kind: "s3", region: "us-east-1" }));
    expect(s3.storeUnavailableReason()).toBeNull();
    s3.outage("us-east-1");
    expect(s3.storeUnavailableReason()).toBe("its region us-east-1 is out");
    const replicated = new ControlPlanePlacement(spec(undefined));
    replicated.outage("us-east-1");
    replicated.outage("eu-west-1");
    expect(replicated.storeUnavailableReason()).toBe("a majority of its replicas is out");
  });

  it("a partition cuts one watcher from one region, one way", () => {
    const p = new ControlPlanePlacement(spec(undefined));
    p.partition("us-west-2", "us-east-1");
    expect(p.reaches("us-west-2", "us-east-1")).toBe(false);
    expect(p.reaches("eu-west-1", "us-east-1")).toBe(true);
    p.heal("us-west-2", "us-east-1");
    expect(p.reaches("us-west-2", "us-east-1")).toBe(true);
  });

  it("with no controlPlane block nothing is placed: us-east-1's outage leaves Route 53's API up", () => {
    const p = new ControlPlanePlacement(undefined);
    p.outage("us-east-1");
    expect([p.storeAvailable(), p.backendUp(), p.route53ControlPlaneUp()]).toEqual([true, true, true]);
  });
});

describe("control-plane scenario validation", () => {
  it("names every bad field at once", () => {
    const result = validateScenario({
      name: "bad",
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      versions: { "1.0.0": { errorRate: 0.001 } },
      initialVersion: "1.0.0",
      until: 1200,
      controlPlane: {
        watchers: ["us-east-1", "mars-1", "us-east-1"],
        stateStore: { kind: "dynamodb", regions: ["us-east-1", "us-west-2"] },
        pulumiBackendRegion: "moon-2",
        extra: 1,
      },
      events: [
        { at: 10, partition: { from: "eu-west-1", to: "us-east-1" } },
        { at: 20, heal: { from: "us-east-1", to: "ap-south-1" } },
        { at: 30, partition: { from: "us-east-1", to: "us-east-1" } },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "controlPlane.watchers[1]",
        "controlPlane.watchers[2]",
        "controlPlane.stateStore.regions",
        "controlPlane.pulumiBackendRegion",
        "controlPlane",
        "events[0].partition.from",
        "events[1].heal.to",
        "events[2].partition.to",
      ]),
    );
  });

  it("refuses partition and heal without watchers to cut", () => {
    const result = validateScenario({
      name: "bad",
      regions: ["us-east-1", "us-west-2"],
      versions: { "1.0.0": { errorRate: 0.001 } },
      initialVersion: "1.0.0",
      until: 1200,
      events: [{ at: 10, partition: { from: "us-east-1", to: "us-west-2" } }],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      { path: "events[0].partition", message: "needs a controlPlane block with watchers" },
    ]);
  });

  it("lets an outage name a region that only hosts control-plane parts", () => {
    const s = unitScenario({
      controlPlane: { watchers: ["us-east-2", "us-west-2", "eu-west-1"] },
      events: [{ at: 10, outage: { region: "us-east-2" } }],
    });
    expect(s.events[0]).toMatchObject({ kind: "outage", region: "us-east-2" });
    expect(() => unitScenario({ events: [{ at: 10, outage: { region: "us-east-2" } }] })).toThrow(
      /unknown region/,
    );
  });
});

describe("a leader killed at any moment of detection or of the failover", () => {
  // The writer fails at 300 s; the failover starts at 326.8 s and its steps run until about 447 s.
  const killTimes = Array.from({ length: 34 }, (_, i) => 290 + i * 5);

  it.each(killTimes)(
    "killed at %i s: the new leader resumes it from the store, each step once",
    async (at) => {
      const base = loadScenario(path.join(SHIPPED_DRILLS, "control-plane-leader-dies-mid-failover.yaml"));
      const events = base.events.map((e) =>
        e.kind === "outage" && e.region === "us-east-2" ? { ...e, at } : e,
      );
      const { report } = await runDrill(
        { ...base, events: [...events].sort((a, b) => a.at - b.at) },
        { seed: 1 },
      );
      expect(report.invariantViolations).toEqual([]);
      const failovers = report.operations.filter((o) => o.kind === "failover");
      expect(failovers.map((o) => o.outcome)).toEqual(["succeeded"]);
      expect(report.timeline.filter((e) => e.kind === "db-failover-started")).toHaveLength(1);
      const finished = report.timeline
        .filter((e) => e.kind === "step-finished" && e.message.startsWith(failovers[0].id))
        .map((e) => e.message.split(": ")[1].split(" ")[0]);
      expect(finished).toEqual([...new Set(finished)]);
      expect(report.finalWriter).toBe("ap-southeast-1");
      // A leader that dies in the few seconds before its verdict leaves a last report that still
      // votes "up" for a while: the failover waits one more tick, never more.
      const outage = report.incidents.find((i) => i.kind === "outage" && i.region === "us-west-2");
      expect(outage?.rtoSeconds as number).toBeLessThanOrEqual((outage?.floorSeconds as number) + 10);
    },
  );
});
