import { describe, expect, it } from "vitest";
import {
  OperationStateError,
  abortOperation,
  promoteOperation,
  resumeOperation,
  runPlan,
} from "../../automation/executor";
import type { Plan } from "../../automation/plans/steps";
import { followDeployedVersions } from "../support/memoryPorts";
import { harness } from "./harness";

/** A canary whose analysis gets too few samples: the canary colour reports no data. */
function inconclusiveCanary() {
  const h = harness({
    regions: 3,
    release: { bakeSeconds: 180, analysisIntervalSeconds: 60, minSamples: 3 },
  });
  h.mem.metrics.policy = (q) => (q.color === undefined ? 0.01 : null);
  return h;
}

describe("executor: pauses", () => {
  it("an inconclusive analysis pauses the operation for a person", async () => {
    const h = inconclusiveCanary();
    const plan = await h.plan("2.0.0", { strategy: "canary" });

    const result = await runPlan(plan, h.options());

    expect(result.outcome).toBe("paused");
    expect(result.reason).toMatch(/inconclusive in eu-west-1: only 0 of the 3 canary error rate samples/);
    const op = h.stored().operation;
    expect(op).toMatchObject({
      phase: "paused",
      cursor: plan.steps.findIndex((s) => s.id === "canary-10/analysis"),
    });
    expect(op?.steps.at(-1)).toMatchObject({ id: "canary-10/analysis", finishedAt: null, outcome: null });
    // The canary stays where it is, nothing rolled back, and the lease is free for `promote`.
    expect(h.mem.stack.deployed["eu-west-1"].app.canaryWeight).toBe(10);
    expect(await h.mem.state.readLease()).toBeNull();

    // resume does not pass a pause on its own.
    expect((await resumeOperation(h.options())).outcome).toBe("paused");
    expect(h.stored().operation?.phase).toBe("paused");
  });

  it("promote continues past the pause; the next inconclusive analysis pauses again; --full skips the rest", async () => {
    const h = inconclusiveCanary();
    const plan = await h.plan("2.0.0", { strategy: "canary" });
    await runPlan(plan, h.options());

    const second = await promoteOperation(h.options({ holder: "carol@desk:3" }), false);
    expect(second.outcome).toBe("paused");
    expect(h.stored().operation?.steps.find((s) => s.id === "canary-10/analysis")).toMatchObject({
      outcome: "ok",
      detail: expect.stringMatching(/promoted by carol@desk:3$/),
    });
    expect(h.stored().operation?.steps.at(-1)?.id).toBe("canary-50/analysis");

    const done = await promoteOperation(h.options({ holder: "carol@desk:3" }), true);
    expect(done.outcome).toBe("succeeded");
    const record = h.stored().history.at(-1);
    expect(record?.steps.find((s) => s.id === "canary-100/analysis")).toMatchObject({ outcome: "skipped" });
    // Health gates still ran after --full.
    expect(record?.steps.find((s) => s.id === "canary-100/health")).toMatchObject({ outcome: "ok" });
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });
  });

  it("abort on a paused canary rolls it back and ends as aborted", async () => {
    const h = inconclusiveCanary();
    await runPlan(await h.plan("2.0.0", { strategy: "canary" }), h.options());

    const result = await abortOperation(h.options({ holder: "carol@desk:3" }));

    expect(result.outcome).toBe("aborted");
    expect(result.reason).toBe("aborted by carol@desk:3");
    expect(h.mem.stack.deployed["eu-west-1"].app).toMatchObject({
      canaryWeight: null,
      servingVersion: "1.0.0",
    });
    expect(h.stored().regions["eu-west-1"]).toMatchObject({
      releaseStatus: "rolledback",
      canaryWeight: null,
    });
    expect(h.stored().operation).toBeNull();
    expect(h.stored().history.at(-1)?.phase).toBe("aborted");
  });

  it("abort on a paused canary whose region went down leaves it out: restored in the state, its stack update queued", async () => {
    const h = inconclusiveCanary();
    await runPlan(await h.plan("2.0.0", { strategy: "canary" }), h.options());
    // The canary region goes dark while the release waits for a person.
    h.mem.health.policy = (region) => region !== "eu-west-1";
    const updatesBefore = h.mem.stack.calls.length;

    const result = await abortOperation(h.options({ holder: "carol@desk:3" }));

    expect(result.outcome).toBe("aborted");
    // No stack update called the down region: its stack still runs the canary.
    const calls = h.mem.stack.calls.slice(updatesBefore);
    expect(calls.every((c) => !(c.targets ?? []).includes("eu-west-1"))).toBe(true);
    expect(h.mem.stack.deployed["eu-west-1"].app.canaryWeight).toBe(10);
    // The state is back where it was, and the update it still owes waits for the watcher.
    expect(h.stored().regions["eu-west-1"]).toMatchObject({ canaryWeight: null, version: "1.0.0" });
    expect(h.stored().deferredStackUpdate).toMatchObject({
      operationId: result.operationId,
      lastError: expect.stringMatching(/eu-west-1 failing/),
    });
    expect(h.progress.some((e) => /eu-west-1 is down .*the rollback leaves it out/.test(e.message))).toBe(
      true,
    );
  });

  it("abort leaves out a region the watcher's verdict calls failing, without a look of its own", async () => {
    const h = inconclusiveCanary();
    await runPlan(await h.plan("2.0.0", { strategy: "canary" }), h.options());
    const updatesBefore = h.mem.stack.calls.length;

    const result = await abortOperation(h.options({ holder: "carol@desk:3", impaired: () => ["eu-west-1"] }));

    expect(result.outcome).toBe("aborted");
    expect(
      h.mem.stack.calls.slice(updatesBefore).every((c) => !(c.targets ?? []).includes("eu-west-1")),
    ).toBe(true);
    expect(h.stored().deferredStackUpdate?.lastError).toMatch(/eu-west-1 failing/);
  });

  it("a pause step stops the plan; promote goes on", async () => {
    const h = harness({ regions: 2 });
    const plan: Plan = {
      id: "manual-1",
      kind: "deploy",
      summary: "test",
      regions: ["us-west-2"],
      compensation: [],
      steps: [
        { kind: "wait", id: "a", description: "a", seconds: 10 },
        { kind: "pause", id: "hold", description: "hold", reason: "check the dashboards" },
        { kind: "wait", id: "b", description: "b", seconds: 10 },
      ],
    };
    const first = await runPlan(plan, h.options());
    expect(first).toMatchObject({ outcome: "paused", reason: "check the dashboards" });
    await expect(promoteOperation(h.options(), false)).resolves.toMatchObject({ outcome: "succeeded" });
    expect(
      h
        .stored()
        .history.at(-1)
        ?.steps.map((s) => `${s.id}:${s.outcome}`),
    ).toEqual(["a:ok", "hold:ok", "b:ok"]);
  });

  it("promote refuses when nothing is paused", async () => {
    const h = harness({ regions: 2, release: { bakeSeconds: 0 } });
    followDeployedVersions(h.mem, {});
    await expect(promoteOperation(h.options(), false)).rejects.toBeInstanceOf(OperationStateError);
  });

  it("abort before anything moved ends the operation without compensating", async () => {
    const h = harness({ regions: 2 });
    const plan: Plan = {
      id: "manual-2",
      kind: "deploy",
      summary: "test",
      regions: ["us-west-2"],
      compensation: [
        { kind: "restore", id: "rollback/restore", description: "restore", regions: ["us-west-2"] },
      ],
      steps: [
        { kind: "pause", id: "hold", description: "hold", reason: "wait for approval" },
        {
          kind: "patchState",
          id: "p",
          description: "p",
          patch: { regions: { "us-west-2": { version: "9" } } },
        },
      ],
    };
    await runPlan(plan, h.options());
    const result = await abortOperation(h.options());
    expect(result.outcome).toBe("aborted");
    expect(h.mem.stack.calls).toEqual([]);
    expect(h.stored().history.at(-1)?.steps).toEqual([
      expect.objectContaining({ id: "hold", outcome: "skipped" }),
    ]);
  });
});
