import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import { requestAbort, requestPreempt, watchAbortRequest } from "../../automation/executor/abortRequest";
import type { AbortRequestedError } from "../../automation/executor/abortRequest";
import { harness } from "./harness";

/**
 * A rolling promotion of us-west-2, eu-west-1, then the writer us-east-1. The writer goes dark
 * during its own wave; the watcher (another process) preempts the run through the state document.
 */
const POLL_MS = 1000;

describe("executor: preempted by a failover", () => {
  it("stops at once, runs no compensation and calls no region, and rolls its moves back in the state", async () => {
    const h = harness({ regions: 3 });
    const dark = (): boolean => h.mem.stack.deployed["us-east-1"].app.servingVersion === "2.0.0";
    h.mem.health.policy = (region) => !(region === "us-east-1" && dark());
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    const run = runPlan(plan, h.options({ abortPollMs: POLL_MS }));
    // The writer's wave now waits on the dark writer's health gate (300 s at most).
    while (!dark()) await h.mem.clock.sleep(1000);
    await h.mem.clock.sleep(20_000);
    const upsBefore = h.ups().length;
    const preemptedAt = h.mem.clock.now();
    expect(
      await requestPreempt(h.mem.state, plan.id, "watcher (failover: writer us-east-1 is unhealthy)"),
    ).toBe(true);

    const result = await run;

    expect(result.outcome).toBe("aborted");
    expect(result.reason).toMatch(/^preempted by watcher \(failover: writer us-east-1 is unhealthy\)/);
    expect(h.mem.clock.now() - preemptedAt).toBeLessThanOrEqual(POLL_MS + 100);
    expect(h.ups().length).toBe(upsBefore);
    const ended = h.stored().history.at(-1);
    expect(ended?.phase).toBe("aborted");
    expect(ended?.steps.some((s) => s.id.startsWith("compensation/"))).toBe(false);
    expect(ended?.steps.every((s) => s.finishedAt !== null)).toBe(true);
    expect(h.stored().operation).toBeNull();
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
      expect(h.stored().regions[region]?.releaseStatus).toBe("rolledback");
    }
    expect(await h.mem.state.readLease()).toBeNull();
  });

  it("an abort request, not a preemption, still rolls back through its compensation", async () => {
    const h = harness({ regions: 3 });
    const dark = (): boolean => h.mem.stack.deployed["us-east-1"].app.servingVersion === "2.0.0";
    h.mem.health.policy = (region) => !(region === "us-east-1" && dark());
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    const run = runPlan(plan, h.options({ abortPollMs: POLL_MS }));
    while (!dark()) await h.mem.clock.sleep(1000);
    const upsBefore = h.ups().length;
    await requestAbort(h.mem.state, plan.id, "carol@desk:3");

    const result = await run;

    expect(result.reason).toBe("aborted by carol@desk:3");
    expect(h.ups().length).toBeGreaterThan(upsBefore);
  });

  it("the poll reports a preemption before an abort request on the same operation", async () => {
    const h = harness({ regions: 3 });
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    // Hold the run in its first wave so the operation stays in flight while the marks are set.
    h.mem.health.policy = () => false;
    const run = runPlan(plan, h.options());
    await h.mem.clock.sleep(5_000);
    await requestAbort(h.mem.state, plan.id, "carol");
    await requestPreempt(h.mem.state, plan.id, "watcher");
    const seen = await new Promise<AbortRequestedError>((resolve) => {
      const stop = watchAbortRequest(h.mem.state, h.mem.clock, plan.id, POLL_MS, (err) => {
        stop();
        resolve(err);
      });
    });
    expect(seen.preempted).toBe(true);
    expect(seen.by).toBe("watcher");
    await run;
  });
});
