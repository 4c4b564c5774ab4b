import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import { supersedeOperation } from "../../automation/executor/supersede";
import { initialState } from "../../components/operationalState";
import { harness } from "./harness";

/** A canary paused for a person (its analysis gets no samples), as a failover finds it. */
async function pausedCanary() {
  const h = harness({
    regions: 3,
    release: { bakeSeconds: 180, analysisIntervalSeconds: 60, minSamples: 3 },
  });
  h.mem.metrics.policy = (q) => (q.color === undefined ? 0.01 : null);
  await runPlan(await h.plan("2.0.0", { strategy: "canary" }), h.options());
  return h;
}

describe("superseding an operation", () => {
  it("rolls back in the state what it moved, and queues the stack update that renders it", async () => {
    const h = await pausedCanary();
    const now = h.mem.clock.now();

    const after = supersedeOperation(h.stored(), "superseded by failover f-1", now);

    expect(after.operation).toBeNull();
    expect(after.regions["eu-west-1"]).toMatchObject({ canaryWeight: null, releaseStatus: "rolledback" });
    expect(after.history.at(-1)?.reason).toMatch(/eu-west-1 rolled back in the state$/);
    // Nothing called eu-west-1: its stack still runs the canary until an update renders the state.
    expect(h.mem.stack.deployed["eu-west-1"].app.canaryWeight).toBe(10);
    expect(after.deferredStackUpdate).toMatchObject({
      stepId: "superseded",
      lastError: "eu-west-1 rolled back in the state; the stack follows",
      nextAttemptAt: new Date(now + 30_000).toISOString(),
    });
  });

  it("queues nothing when the operation had moved no region", async () => {
    const h = harness({ regions: 3 });
    const plan = await h.plan("2.0.0", { strategy: "canary" });
    const start = initialState(h.config);
    // Recorded, and nothing done yet: every region is as it was before.
    const seeded = {
      ...start,
      operation: {
        id: plan.id,
        kind: plan.kind,
        plan: JSON.parse(JSON.stringify(plan)) as unknown,
        before: structuredClone(start.regions),
        writerBefore: "us-east-1",
        phase: "running" as const,
        cursor: 0,
        steps: [],
        startedAt: new Date(h.mem.clock.now()).toISOString(),
        finishedAt: null,
        reason: null,
      },
    };

    const after = supersedeOperation(seeded, "superseded", h.mem.clock.now());

    expect(after.operation).toBeNull();
    expect(after.deferredStackUpdate ?? null).toBeNull();
  });
});
