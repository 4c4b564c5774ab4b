import { describe, expect, it } from "vitest";
import { abortOperation, promoteOperation, resumeOperation, runPlan } from "../../automation/executor";
import { LeaseHeldError, LeaseLostError } from "../../automation/ports";
import { harness } from "./harness";

describe("executor: one operation at a time", () => {
  it("refuses a second run while the first holds the lease, naming the holder", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.updateMs = 120_000;
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    const first = runPlan(plan, h.options({ holder: "alice@ci:100" }));
    // Let the first run get going (into its first stack update).
    await h.mem.clock.sleep(60_000);

    const second = runPlan({ ...plan, id: "deploy-2.0.0-other" }, h.options({ holder: "bob@laptop:7" }));
    await expect(second).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(second).rejects.toThrow(/held by alice@ci:100/);
    for (const command of [
      () => resumeOperation(h.options({ holder: "bob@laptop:7" })),
      () => abortOperation(h.options({ holder: "bob@laptop:7" })),
      () => promoteOperation(h.options({ holder: "bob@laptop:7" }), false),
    ]) {
      await expect(command()).rejects.toBeInstanceOf(LeaseHeldError);
    }

    expect((await first).outcome).toBe("succeeded");
    expect(await h.mem.state.readLease()).toBeNull();
  });

  it("keeps renewing the lease through a long run, so it never lapses", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.updateMs = 300_000;
    const run = runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options({ leaseTtlMs: 60_000 }));
    // Probe the lease every 50 s: it must always be held and unexpired.
    const seen: boolean[] = [];
    const probe = (async () => {
      for (let i = 0; i < 20; i++) {
        await h.mem.clock.sleep(50_000);
        const lease = await h.mem.state.readLease();
        seen.push(lease !== null && lease.expiresAt > h.mem.clock.now());
      }
    })();
    const result = await run;
    await probe;
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.clock.now()).toBeGreaterThan(15 * 60_000);
    expect(seen.slice(0, 15).every(Boolean)).toBe(true);
    expect(h.mem.log.of("lease", "renew").length).toBeGreaterThan(15);
  });

  it("takes over a lease left behind by a dead process once it expires", async () => {
    const h = harness({ regions: 2 });
    await h.mem.state.acquireLease("dead@host:1", "deploy-1.9.0-r0", 60_000);
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    await expect(runPlan(plan, h.options())).rejects.toThrow(/held by dead@host:1/);
    await h.mem.clock.sleep(60_001);
    expect((await runPlan(plan, h.options())).outcome).toBe("succeeded");
  });

  it("stops (without rolling back) when another run takes the lease", async () => {
    const h = harness({ regions: 3 });
    h.mem.stack.updateMs = 120_000;
    const store = h.mem.state;
    const original = store.renewLease.bind(store);
    let renewals = 0;
    store.renewLease = async (lease, ttl) => {
      if (++renewals === 10) throw new LeaseLostError(lease.holder);
      return original(lease, ttl);
    };
    const plan = await h.plan("2.0.0", { strategy: "rolling" });
    await expect(runPlan(plan, h.options())).rejects.toBeInstanceOf(LeaseLostError);
    // Stopped where it was: still running, nothing compensated, the moved region left as it is
    // for whoever holds the lease now.
    const op = h.stored().operation;
    expect(op).toMatchObject({ id: plan.id, phase: "running" });
    expect(op?.steps.some((r) => r.id.startsWith("compensation/"))).toBe(false);
    expect(h.mem.stack.versions()["us-west-2"]).toBe("2.0.0");
  });

  it("refuses to start a plan while another operation is in flight", async () => {
    const h = harness({
      regions: 2,
      release: { bakeSeconds: 60, analysisIntervalSeconds: 60, minSamples: 3 },
    });
    // An inconclusive canary (one sample of three) leaves a paused operation in flight.
    const plan = await h.plan("2.0.0", { strategy: "canary" });
    expect((await runPlan(plan, h.options())).outcome).toBe("paused");
    const before = h.mem.stack.calls.length;

    const other = { ...plan, id: "deploy-2.0.0-again" };
    await expect(runPlan(other, h.options())).rejects.toThrow(
      new RegExp(`operation ${plan.id} \\(deploy, paused\\) is already in flight`),
    );
    expect(h.mem.stack.calls.length).toBe(before);
    expect(h.stored().operation?.id).toBe(plan.id);
  });
});
