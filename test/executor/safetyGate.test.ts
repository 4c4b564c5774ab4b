import { describe, expect, it } from "vitest";
import { abortOperation, promoteOperation, runPlan } from "../../automation/executor";
import { harness } from "./harness";

/**
 * No promotion while a region is failing: a rolling promotion of 3 regions (us-west-2, eu-west-1,
 * then the writer us-east-1) with a region that fails between waves. Every test checks the rule
 * itself: no stack update of the promotion starts while the failing region fails.
 */
const MOVED_WAVE_1 = (h: ReturnType<typeof harness>): boolean =>
  h.mem.stack.deployed["us-west-2"].app.servingVersion === "2.0.0";

/** Stack updates made while `failing(region)` held for some region, at the instant each started. */
function updatesWhileFailing(h: ReturnType<typeof harness>, failingAt: (at: number) => boolean): number {
  return h.mem.log.of("stack", "up").filter((e) => failingAt(e.at)).length;
}

describe("executor: safety gate between waves", () => {
  it("holds while an untouched secondary fails, and goes on once it is healthy again", async () => {
    const h = harness({ regions: 3 });
    let failingFrom: number | null = null;
    let failingUntil: number | null = null;
    h.mem.health.policy = (region, now) => {
      if (region !== "eu-west-1" || !MOVED_WAVE_1(h)) return true;
      failingFrom ??= now;
      failingUntil ??= now + 90_000;
      return now >= failingUntil;
    };
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const result = await runPlan(plan, h.options());

    expect(result.outcome).toBe("succeeded");
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "2.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "2.0.0",
    });
    const safety = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "wave-2/safety");
    expect(safety?.detail).toMatch(/healthy after holding \d+ s/);
    // The wave-2 update started only once eu-west-1 answered again.
    const wave2 = h.mem.log
      .of("stack", "up")
      .find((e) => (e.detail.targets as string[]).includes("eu-west-1"));
    expect(wave2?.at).toBeGreaterThanOrEqual(failingUntil ?? Number.POSITIVE_INFINITY);
    expect(
      updatesWhileFailing(
        h,
        (at) => failingFrom !== null && failingUntil !== null && at >= failingFrom && at < failingUntil,
      ),
    ).toBe(0);
  });

  it("rolls back when the failing region does not recover within the health timeout", async () => {
    const h = harness({ regions: 3, release: { healthTimeoutSeconds: 120 } });
    h.mem.health.policy = (region) => !(region === "eu-west-1" && MOVED_WAVE_1(h));
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const result = await runPlan(plan, h.options());

    expect(result).toMatchObject({ outcome: "rolledback", failedStep: "wave-2/safety" });
    expect(result.reason).toMatch(/eu-west-1 .*still failing after 120 s/);
    // Nothing moved after wave 1, and wave 1 went back.
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
    expect(h.ups().map((u) => u.targets)).toEqual([["us-west-2"], ["us-west-2"]]);
  });

  it("rolls back at once when a region the promotion moved is failing", async () => {
    const h = harness({ regions: 3, release: { healthTimeoutSeconds: 600 } });
    // us-west-2 passes its own gate, then fails once marked deployed: 2.0.0 breaks after a while.
    h.mem.health.policy = (region) =>
      region !== "us-west-2" || h.mem.state.current?.regions["us-west-2"].releaseStatus !== "deployed";
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const result = await runPlan(plan, h.options());

    expect(result).toMatchObject({ outcome: "rolledback", failedStep: "wave-2/safety" });
    expect(result.reason).toMatch(/us-west-2, which this promotion moved, is failing/);
    const held = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "wave-2/safety");
    // Confirmed by the detection threshold (3 rounds, 10 s apart), far inside the 600 s timeout.
    expect(Date.parse(held?.finishedAt ?? "") - Date.parse(held?.startedAt ?? "")).toBeLessThan(60_000);
    expect(h.mem.stack.versions()["us-west-2"]).toBe("1.0.0");
  });

  it("pauses when the writer is failing; promote checks again instead of skipping the gate", async () => {
    // No wave analysis: its writer guard would pause first, and this is about the safety gate.
    const h = harness({ regions: 3, release: { bakeSeconds: 0 } });
    let writerDown = true;
    h.mem.health.policy = (region) => !(region === "us-east-1" && MOVED_WAVE_1(h) && writerDown);
    const plan = await h.plan("2.0.0", { strategy: "rolling" });

    const first = await runPlan(plan, h.options());

    expect(first.outcome).toBe("paused");
    expect(first.reason).toMatch(/writer us-east-1 is failing/);
    expect(h.stored().operation).toMatchObject({
      phase: "paused",
      cursor: plan.steps.findIndex((s) => s.id === "wave-2/safety"),
    });
    expect(h.mem.stack.versions()["eu-west-1"]).toBe("1.0.0");

    // Still failing: promote runs the check again and pauses again, nothing moves.
    const again = await promoteOperation(h.options(), false);
    expect(again.outcome).toBe("paused");
    expect(h.mem.stack.versions()["eu-west-1"]).toBe("1.0.0");
    expect(h.stored().operation?.steps.find((s) => s.id === "wave-2/safety")?.outcome).toBeNull();

    // Healthy again: promote goes on through the check.
    writerDown = false;
    const done = await promoteOperation(h.options(), false);
    expect(done.outcome).toBe("succeeded");
    expect(
      h
        .stored()
        .history.at(-1)
        ?.steps.find((s) => s.id === "wave-2/safety"),
    ).toMatchObject({
      outcome: "ok",
      detail: expect.stringMatching(/every serving region/),
    });
  });

  it("abort on a promotion paused for a failing writer rolls back what moved", async () => {
    const h = harness({ regions: 3 });
    h.mem.health.policy = (region) => !(region === "us-east-1" && MOVED_WAVE_1(h));
    await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());

    const result = await abortOperation(h.options());

    expect(result.outcome).toBe("aborted");
    expect(h.mem.stack.versions()["us-west-2"]).toBe("1.0.0");
    expect(h.stored().regions["us-west-2"].releaseStatus).toBe("rolledback");
  });

  it("a writer failing during a long step (the scale-down wait) pauses at once; promote finishes the wait", async () => {
    const h = harness({ regions: 3, release: { scaleDownDelaySeconds: 600 } });
    const writer: { downAt: number | null; upAt: number | null } = { downAt: null, upAt: null };
    h.mem.health.policy = (region, now) => {
      if (region !== "us-east-1") return true;
      const waiting = h.mem.state.current?.operation?.steps.some((r) => r.id === "scale-down/wait") ?? false;
      if (waiting && writer.downAt === null) writer.downAt = now + 60_000;
      return writer.downAt === null || now < writer.downAt || (writer.upAt !== null && now >= writer.upAt);
    };
    const plan = await h.plan("2.0.0", { strategy: "blue-green" });

    const first = await runPlan(plan, h.options());

    expect(first.outcome).toBe("paused");
    expect(first.reason).toMatch(/^writer us-east-1 is failing/);
    const op = h.stored().operation;
    expect(op?.cursor).toBe(plan.steps.findIndex((s) => s.id === "scale-down/wait"));
    // Noticed within the detection threshold (3 checks 10 s apart), not at the end of the 600 s wait.
    const pausedAt = h.progress.at(-1)?.at as number;
    expect(pausedAt - (writer.downAt ?? Number.NaN)).toBeLessThanOrEqual(40_000);

    // The writer is back; promote runs the interrupted wait again (only what is left of it), then
    // the scale-down behind its safety gate.
    writer.upAt = h.mem.clock.now();
    const done = await promoteOperation(h.options(), false);
    expect(done.outcome).toBe("succeeded");
    const record = h
      .stored()
      .history.at(-1)
      ?.steps.find((s) => s.id === "scale-down/wait");
    expect(record).toMatchObject({ outcome: "ok", detail: "waited 600 s" });
    expect(Date.parse(record?.finishedAt ?? "") - Date.parse(record?.startedAt ?? "")).toBeGreaterThanOrEqual(
      600_000,
    );
    expect(h.mem.stack.deployed["us-east-1"].app.slots.find((x) => x.color === "blue")?.replicas).toBe(0);
  });

  it("a writer failing in its own wave's health gate rolls back: the new version is the likely cause", async () => {
    const h = harness({ regions: 3, release: { healthTimeoutSeconds: 120 } });
    h.mem.health.policy = (region) =>
      !(region === "us-east-1" && h.mem.stack.deployed["us-east-1"].app.servingVersion === "2.0.0");
    const result = await runPlan(await h.plan("2.0.0", { strategy: "rolling" }), h.options());
    expect(result).toMatchObject({ outcome: "rolledback", failedStep: "wave-3/health" });
    expect(h.mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "1.0.0",
      "eu-west-1": "1.0.0",
    });
  });
});
