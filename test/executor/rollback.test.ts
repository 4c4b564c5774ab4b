import { describe, expect, it } from "vitest";
import { resumeOperation, runPlan } from "../../automation/executor";
import { StackUpdateError } from "../../automation/ports";
import { harness } from "./harness";
import { followDeployedVersions } from "../support/memoryPorts";

describe("executor: rollback on a failed gate", () => {
  it("a failed gate in wave 2 rolls back every region that moved, to the previous version", async () => {
    const h = harness({ regions: 3 });
    // 2.0.0 is broken only in eu-west-1 (wave 2), so wave 1 (us-west-2) has already moved when it fails.
    h.mem.health.policy = (region) =>
      !(region === "eu-west-1" && h.mem.stack.deployed[region].app.servingVersion === "2.0.0");
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const result = await runPlan(plan, h.options());

    expect(result.outcome).toBe("rolledback");
    expect(result.failedStep).toBe("wave-2/health");
    expect(result.reason).toMatch(/eu-west-1/);
    // Both moved regions are back on 1.0.0 in the stack, not just the failing one; the writer never moved.
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(h.ups().at(-1)).toMatchObject({
      targets: ["us-west-2", "eu-west-1"],
      versions: { "us-west-2": "1.0.0", "eu-west-1": "1.0.0" },
    });
    expect(h.ups().filter((u) => (u.targets as string[]).includes("us-east-1"))).toEqual([]);

    const state = h.stored();
    expect(state.operation).toBeNull();
    expect(state.history.at(-1)).toMatchObject({ id: plan.id, phase: "rolledback" });
    expect(state.regions["us-west-2"]).toMatchObject({ version: "1.0.0", releaseStatus: "rolledback" });
    expect(state.regions["eu-west-1"]).toMatchObject({ version: "1.0.0", releaseStatus: "rolledback" });
    expect(state.regions["us-east-1"]).toMatchObject({ version: "1.0.0", releaseStatus: null });
    expect(state.regions["us-west-2"].slots.blue).toEqual({ version: "1.0.0", replicas: 3 });
  });

  it("restores the PREVIOUS release, not the initial one and not the failed one", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) => h.mem.stack.deployed[region].app.servingVersion !== "3.0.0";
    expect((await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options())).outcome).toBe(
      "succeeded",
    );
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });

    const result = await runPlan(await h.plan("3.0.0", { strategy: "rolling" }), h.options());

    expect(result.outcome).toBe("rolledback");
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });
    expect(h.stored().regions["us-west-2"]).toMatchObject({ version: "2.0.0", releaseStatus: "rolledback" });
    expect(h.stored().regions["eu-west-1"]).toMatchObject({ version: "2.0.0", releaseStatus: "deployed" });
  });

  it("blue-green: a failed switch gate switches every switched region back, staged colour removed", async () => {
    const h = harness({ regions: 3 });
    // 2.0.0 starts fine in the idle colour, but fails once eu-west-1 serves it.
    h.mem.health.policy = (region) =>
      !(region === "eu-west-1" && h.mem.stack.deployed[region].app.servingVersion === "2.0.0");
    const result = await runPlan(await h.plan("2.0.0", { strategy: "blue-green" }), h.options());

    expect(result.outcome).toBe("rolledback");
    expect(result.failedStep).toBe("switch-eu-west-1/health");
    for (const r of ["us-east-1", "us-west-2", "eu-west-1"]) {
      const app = h.mem.stack.deployed[r].app;
      expect(app.selectorColor).toBe("blue");
      expect(app.servingVersion).toBe("1.0.0");
      expect(app.slots).toEqual([
        { color: "blue", version: "1.0.0", replicas: 3 },
        { color: "green", version: null, replicas: 0 },
      ]);
      expect(h.stored().regions[r].releaseStatus).toBe("rolledback");
    }
  });

  it("canary: a failed analysis puts the canary region back", async () => {
    const h = harness({ regions: 3, release: { bakeSeconds: 180, analysisIntervalSeconds: 60 } });
    followDeployedVersions(h.mem, { "2.0.0": { errorRate: 0.35 } });
    const result = await runPlan(await h.plan("2.0.0", { strategy: "canary" }), h.options());

    expect(result.outcome).toBe("rolledback");
    expect(result.failedStep).toBe("canary-10/analysis");
    expect(h.mem.stack.deployed["eu-west-1"].app).toMatchObject({
      selectorColor: "blue",
      canaryWeight: null,
      servingVersion: "1.0.0",
    });
    expect(h.stored().regions["eu-west-1"]).toMatchObject({
      canaryWeight: null,
      releaseStatus: "rolledback",
    });
    // Only the canary region had moved.
    expect(h.ups().at(-1)?.targets).toEqual(["eu-west-1"]);
    expect(h.stored().regions["us-west-2"].releaseStatus).toBeNull();
  });

  it("a failed stack update rolls back too", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.failUp = (_call, n) =>
      n === 2 ? new StackUpdateError("test", "provider crashed") : undefined;
    const result = await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());

    expect(result).toMatchObject({ outcome: "rolledback", failedStep: "wave-2/update" });
    expect(result.reason).toMatch(/provider crashed/);
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(h.stored().regions["eu-west-1"].releaseStatus).toBe("rolledback");
  });

  it("one region's failing rollback does not hold the others; the operation stays in flight for a retry", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) =>
      !(region === "eu-west-1" && h.mem.stack.deployed[region].app.servingVersion === "2.0.0");
    // From the rollback on (update 3+), every update that includes eu-west-1 fails.
    let broken = true;
    h.mem.stack.failUp = (call, n) =>
      broken && n >= 3 && (call.targets ?? []).includes("eu-west-1")
        ? new StackUpdateError("test", "eu-west-1 provider crashed")
        : undefined;
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const first = await runPlan(plan, h.options());

    expect(first.outcome).toBe("rollback_failed");
    expect(first.failedStep).toBe("wave-2/health");
    expect(first.reason).toMatch(
      /^step wave-2\/health failed: .*; rollback step rollback\/restore failed: rollback of eu-west-1 failed \(rolled back us-west-2\): eu-west-1: .*provider crashed$/,
    );
    // Joint update failed, then each region alone: us-west-2 made it, eu-west-1 did not.
    expect(h.mem.stack.calls.slice(2).map((c) => c.targets)).toEqual([
      ["us-west-2", "eu-west-1"],
      ["us-west-2"],
      ["eu-west-1"],
    ]);
    const stuck = h.stored();
    expect(stuck.operation).toMatchObject({ id: plan.id, phase: "failed" });
    expect(stuck.regions["us-west-2"].releaseStatus).toBe("rolledback");
    expect(stuck.regions["eu-west-1"].releaseStatus).toBe("rollback_failed");
    // The state already says 1.0.0, but the stack still runs 2.0.0 in eu-west-1.
    expect(stuck.regions["eu-west-1"].version).toBe("1.0.0");
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "2.0.0",
    });
    expect(await h.mem.state.readLease()).toBeNull();

    // Retrying while still broken fails the same way, without piling up reasons.
    const again = await resumeOperation(h.options({ holder: "bob@laptop:7" }));
    expect(again.outcome).toBe("rollback_failed");
    expect(again.reason?.match(/rollback step/g)).toHaveLength(1);

    broken = false;
    const retry = await resumeOperation(h.options({ holder: "bob@laptop:7" }));

    expect(retry.outcome).toBe("rolledback");
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(h.mem.stack.calls.at(-1)?.targets).toEqual(["eu-west-1"]);
    expect(h.stored().regions["eu-west-1"].releaseStatus).toBe("rolledback");
    expect(h.stored().operation).toBeNull();
  });

  it("a region excluded (failed over) during the operation is restored in state only, keeping its drain", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) =>
      !(region === "eu-west-1" && h.mem.stack.deployed[region].app.servingVersion === "2.0.0");
    // Simulate the failover watcher excluding us-west-2 while wave 2 runs (it does so between steps).
    h.mem.stack.afterUp = (_call, n) => {
      if (n !== 2) return;
      const s = h.stored();
      h.mem.state.overwrite({
        ...s,
        revision: s.revision + 1,
        regions: {
          ...s.regions,
          "us-west-2": { ...s.regions["us-west-2"], drained: true, excluded: true, note: "region down" },
        },
      });
    };
    const result = await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());

    expect(result.outcome).toBe("rolledback");
    expect(result.state.regions["us-west-2"]).toMatchObject({
      version: "1.0.0",
      drained: true,
      excluded: true,
      note: "region down",
      releaseStatus: "rolledback",
    });
    // Its stack was not touched by the rollback: it still runs what it ran when it went dark.
    expect(h.mem.stack.calls.at(-1)).toMatchObject({ targets: ["eu-west-1"], excludes: ["us-west-2"] });
    expect(h.mem.stack.versions()["us-west-2"]).toBe("2.0.0");
  });

  it("a failure before anything moved ends as failed, without compensation", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) => region !== "eu-west-1";
    const result = await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());

    expect(result.outcome).toBe("failed");
    expect(result.failedStep).toBe("preflight/health");
    expect(h.mem.stack.calls).toEqual([]);
    expect(
      h
        .stored()
        .history.at(-1)
        ?.steps.map((s) => s.id),
    ).toEqual(["preflight/health"]);
    expect(Object.values(h.stored().regions).map((r) => r.releaseStatus)).toEqual([null, null, null]);
  });
});
