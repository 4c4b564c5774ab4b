import { describe, expect, it } from "vitest";
import {
  OperationInterruptedError,
  StateWriteError,
  resumeOperation,
  runPlan,
} from "../../automation/executor";
import type { Strategy } from "../../components/config";
import { type Harness, harness } from "./harness";

/** A reference run: what a promotion does when nothing goes wrong. */
async function reference(strategy: Strategy) {
  const h = harness({ regions: 3, release: { bakeSeconds: 180, scaleDownDelaySeconds: 600 } });
  const plan = await h.plan("2.0.0", { strategy });
  const result = await runPlan(plan, h.options());
  expect(result.outcome).toBe("succeeded");
  return { ups: h.ups(), steps: plan.steps.map((s) => s.id), versions: h.mem.stack.versions() };
}

function killer() {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    kill: () => controller.abort(new Error("killed")),
  };
}

/** Every plan step has exactly one record, finished ok; none is missing. */
function expectEveryStepOnce(h: Harness, steps: string[]) {
  const record = h.stored().history.at(-1);
  expect(record?.phase).toBe("succeeded");
  expect(record?.steps.map((s) => s.id)).toEqual(steps);
  expect(record?.steps.every((s) => s.outcome === "ok" && s.finishedAt !== null)).toBe(true);
}

describe.each(["rolling", "blue-green", "canary"] as const)("executor: kill and resume (%s)", (strategy) => {
  it("killed at each stack update before it lands: resume does every update exactly once", async () => {
    const ref = await reference(strategy);
    for (let k = 1; k <= ref.ups.length; k++) {
      const h = harness({ regions: 3, release: { bakeSeconds: 180, scaleDownDelaySeconds: 600 } });
      const { signal, kill } = killer();
      h.mem.stack.failUp = (_call, n) => {
        if (n !== k) return undefined;
        kill();
        return new Error("process killed");
      };
      const plan = await h.plan("2.0.0", { strategy });

      await expect(runPlan(plan, h.options({ signal }))).rejects.toBeInstanceOf(OperationInterruptedError);
      expect(h.stored().operation).toMatchObject({ id: plan.id, phase: "running" });
      expect(h.ups()).toEqual(ref.ups.slice(0, k - 1));

      h.mem.stack.failUp = undefined;
      const resumed = await resumeOperation(h.options({ holder: "bob@ci:200" }));

      expect(resumed.outcome).toBe("succeeded");
      expect(h.ups()).toEqual(ref.ups);
      expect(h.mem.stack.versions()).toEqual(ref.versions);
      expectEveryStepOnce(h, ref.steps);
    }
  });

  it("killed right after an update landed: only that (idempotent) step runs again", async () => {
    const ref = await reference(strategy);
    for (const k of [1, ref.ups.length]) {
      const h = harness({ regions: 3, release: { bakeSeconds: 180, scaleDownDelaySeconds: 600 } });
      const { signal, kill } = killer();
      // The update lands, then the process dies before it can record the step as finished.
      h.mem.stack.afterUp = (_call, n) => {
        if (n !== k) return;
        kill();
        throw new Error("process killed");
      };

      await expect(
        runPlan(await h.plan("2.0.0", { strategy }), h.options({ signal })),
      ).rejects.toBeInstanceOf(OperationInterruptedError);
      h.mem.stack.afterUp = undefined;
      expect((await resumeOperation(h.options())).outcome).toBe("succeeded");

      expect(h.ups()).toEqual([...ref.ups.slice(0, k), ...ref.ups.slice(k - 1)]);
      expect(h.mem.stack.versions()).toEqual(ref.versions);
      expectEveryStepOnce(h, ref.steps);
    }
  });

  it("a crash while writing the state at any point: resume finishes with nothing skipped", async () => {
    const ref = await reference(strategy);
    const probe = harness({ regions: 3, release: { bakeSeconds: 180, scaleDownDelaySeconds: 600 } });
    await runPlan(await probe.plan("2.0.0", { strategy }), probe.options());
    const writes = probe.mem.state.writes;
    for (let n = 1; n <= writes; n++) {
      const h = harness({ regions: 3, release: { bakeSeconds: 180, scaleDownDelaySeconds: 600 } });
      h.mem.state.failWrite = (i) => (i === n ? new Error("disk full") : undefined);
      await expect(runPlan(await h.plan("2.0.0", { strategy }), h.options())).rejects.toBeInstanceOf(
        StateWriteError,
      );
      expect(await h.mem.state.readLease()).toBeNull();
      h.mem.state.failWrite = undefined;
      if (h.mem.state.current?.operation == null) {
        // The very first write (the operation record) failed: nothing started.
        expect(h.ups()).toEqual([]);
        continue;
      }
      expect((await resumeOperation(h.options())).outcome).toBe("succeeded");
      // The interrupted step may have run twice (adjacent duplicate); nothing else repeats or goes missing.
      const deduped = h
        .ups()
        .filter((u, i, all) => i === 0 || JSON.stringify(u) !== JSON.stringify(all[i - 1]));
      expect(deduped).toEqual(ref.ups);
      expect(h.ups().length - deduped.length).toBeLessThanOrEqual(1);
      expect(h.mem.stack.versions()).toEqual(ref.versions);
      expectEveryStepOnce(h, ref.steps);
    }
  });
});

describe("executor: resume details", () => {
  it("a wait killed half way waits only for the rest after resume", async () => {
    const h = harness({ regions: 2, release: { scaleDownDelaySeconds: 600 } });
    const plan = await h.plan("2.0.0", { strategy: "blue-green" });
    const controller = new AbortController();
    const progress: string[] = [];
    const run = runPlan(
      plan,
      h.options({
        signal: controller.signal,
        onProgress: (e) => {
          progress.push(e.stepId);
          if (e.stepId === "scale-down/wait" && e.message.startsWith("waiting")) {
            void h.mem.clock.sleep(200_000).then(() => controller.abort());
          }
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(OperationInterruptedError);
    const waitStarted = Date.parse(
      h.stored().operation?.steps.find((s) => s.id === "scale-down/wait")?.startedAt ?? "",
    );
    expect(h.mem.clock.now() - waitStarted).toBe(200_000);

    expect((await resumeOperation(h.options())).outcome).toBe("succeeded");
    const record = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "scale-down/wait");
    expect(Date.parse(record?.finishedAt ?? "") - waitStarted).toBe(600_000);
  });

  it("a rollback killed half way continues its compensation on resume", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) =>
      !(region === "eu-west-1" && h.mem.stack.deployed[region].app.servingVersion === "2.0.0");
    const controller = new AbortController();
    // Update 3 is the rollback's: the process dies as it starts.
    h.mem.stack.failUp = (_call, n) => {
      if (n !== 3) return undefined;
      controller.abort();
      return new Error("killed");
    };
    await expect(
      runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options({ signal: controller.signal })),
    ).rejects.toBeInstanceOf(OperationInterruptedError);
    expect(h.stored().operation).toMatchObject({ phase: "compensating", cursor: 0 });
    h.mem.stack.failUp = undefined;

    const result = await resumeOperation(h.options());

    expect(result).toMatchObject({ outcome: "rolledback", failedStep: "wave-2/health" });
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(h.stored().regions["us-west-2"].releaseStatus).toBe("rolledback");
  });

  it("resume with nothing in flight says so", async () => {
    const h = harness({ regions: 2 });
    await expect(resumeOperation(h.options())).rejects.toThrow(/no operation is in flight/);
  });

  it("progress events carry step, region and elapsed time", async () => {
    const h = harness({ regions: 2 });
    await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());
    const gate = h.progress.find((e) => e.stepId === "wave-1/health" && e.region === "us-west-2");
    expect(gate).toMatchObject({ kind: "healthGate", message: "healthy (1/3)" });
    const last = h.progress.at(-1);
    expect(last?.message).toBe("operation succeeded");
    // Two gates of three checks 10 s apart, plus a preflight check, and each wave's analysis bake.
    expect(last?.elapsedMs).toBe(40_000 + 2 * h.config.release.bakeSeconds * 1000);
    expect(h.progress.every((e, i) => i === 0 || e.elapsedMs >= h.progress[i - 1].elapsedMs)).toBe(true);
  });
});
