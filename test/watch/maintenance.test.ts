import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { DEFAULT_REPLICATION_SETTINGS } from "../../automation/plans/replication";
import { StackUpdateError } from "../../automation/ports";
import { sampleRawConfig } from "../support/sampleConfig";
import { TICK_MS, watchRig } from "./watchHarness";

const raw = sampleRawConfig({ regions: 3 });
const config = parseConfig(raw);
const manual = parseConfig({ ...raw, failover: { mode: "manual" } });
const [USE1, USW2, EUW1] = ["us-east-1", "us-west-2", "eu-west-1"];

describe("watcher: flapping secondary", () => {
  it("holds a flapping region out of traffic for its cooldown, then readmits it", async () => {
    const rig = watchRig(config, { databaseCheckSeconds: 3600 }, initialState(config));
    // Down 3 observations, up 3, four times: four verdict changes inside the 600 s window.
    const pattern = Array.from({ length: 24 }, (_, i) => Math.floor(i / 3) % 2 === 1);
    let holdout;
    for (const ok of pattern) {
      rig.up[USW2] = ok;
      const r = await rig.watcher.tick();
      holdout ??= r.decisions.find((d) => d.kind === "holdout");
      await rig.mem.clock.sleep(TICK_MS);
    }
    // Held out at its first unhealthy verdict (a region is inactive after 3 failures), and kept
    // out for the cooldown once its transitions show it flapping.
    expect(holdout).toMatchObject({ action: "started", region: USW2 });
    await rig.watcher.settled();
    const held = rig.stored().regions[USW2];
    expect(held.drained).toBe(true);
    // Unhealthy, its control plane may be down too: later updates leave it alone until readmitted.
    expect(held.excluded).toBe(true);
    expect(held.note).toMatch(/^flapping: held out until /);
    expect(rig.mem.stack.calls.filter((c) => c.op === "up")).toHaveLength(1);
    // The drain did not touch the flapping region's own resources.
    const drainUp = rig.mem.stack.calls.find((c) => c.op === "up");
    expect(drainUp?.excludes).toEqual([USW2]);
    expect(rig.mem.stack.deployed[USW2].serving).toBe(true);
    expect(rig.mem.stack.deployed[USE1].dns.serving).toBe(true);

    // Steady now; it stays out until the cooldown (900 s from the flap) is over.
    rig.up[USW2] = true;
    const heldUntil = Date.parse(held.note?.replace("flapping: held out until ", "") ?? "");
    const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "readmit"), 150);
    const readmittedAt = Date.parse(reports.at(-1)?.at ?? "");
    expect(readmittedAt).toBeGreaterThanOrEqual(heldUntil);
    expect(readmittedAt - heldUntil).toBeLessThanOrEqual(TICK_MS);
    await rig.watcher.settled();
    expect(rig.stored().regions[USW2]).toMatchObject({ drained: false, excluded: false, note: null });
  });

  it("never holds out the last serving region", async () => {
    const state = initialState(config);
    for (const r of [USE1, EUW1])
      state.regions[r] = { ...state.regions[r], drained: true, note: "drained by a person" };
    const rig = watchRig(config, { databaseCheckSeconds: 3600 }, state);
    const pattern = Array.from({ length: 15 }, (_, i) => Math.floor(i / 3) % 2 === 1);
    const decisions = [];
    for (const ok of pattern) {
      rig.up[USW2] = ok;
      decisions.push(...(await rig.watcher.tick()).decisions);
      await rig.mem.clock.sleep(TICK_MS);
    }
    expect(decisions.find((d) => d.kind === "holdout")).toMatchObject({
      action: "refused",
      rule: "never-zero-serving",
    });
    expect(rig.stored().regions[USW2].drained).toBe(false);
  });

  it("manual mode reports the hold-out and leaves traffic alone", async () => {
    const rig = watchRig(manual, { databaseCheckSeconds: 3600 }, initialState(manual));
    const pattern = Array.from({ length: 15 }, (_, i) => Math.floor(i / 3) % 2 === 1);
    const decisions = [];
    for (const ok of pattern) {
      rig.up[USW2] = ok;
      decisions.push(...(await rig.watcher.tick()).decisions);
      await rig.mem.clock.sleep(TICK_MS);
    }
    expect(decisions.find((d) => d.kind === "holdout")).toMatchObject({ action: "reported" });
    expect(rig.mem.stack.calls).toEqual([]);
  });
});

describe("watcher: replication repair", () => {
  it("queues a secondary that left the global database, repairs it with backoff, and drops it once connected", async () => {
    const rig = watchRig(config, {}, initialState(config));
    rig.mem.database.detached.add(EUW1);
    let repairUps = 0;
    rig.mem.stack.failUp = (call) => {
      if (call.targets?.includes(EUW1) !== true) return undefined;
      repairUps += 1;
      return repairUps <= 2
        ? new StackUpdateError("dev", `secondary cluster create failed (${repairUps})`)
        : undefined;
    };
    rig.mem.stack.afterUp = (call) => {
      if (call.targets?.includes(EUW1) === true) rig.mem.database.detached.delete(EUW1);
    };

    const first = await rig.watcher.tick();
    expect(first.decisions).toContainEqual(
      expect.objectContaining({ kind: "replication", action: "recorded", region: EUW1 }),
    );
    expect(rig.stored().replicationQueue).toEqual([expect.objectContaining({ region: EUW1, attempts: 0 })]);

    const attempts: number[] = first.decisions.some((d) => d.kind === "repair" && d.action === "started")
      ? [Date.parse(first.at)]
      : [];
    await rig.mem.clock.sleep(TICK_MS);
    await rig.until((r) => {
      const started = r.decisions.find((d) => d.kind === "repair" && d.action === "started");
      if (started !== undefined) attempts.push(Date.parse(r.at));
      return attempts.length >= 3;
    }, 50);
    await rig.watcher.settled();
    expect(repairUps).toBe(3);
    expect(attempts).toHaveLength(3);
    // 2 s then 4 s of backoff (no jitter here): each attempt at the first tick after it is due.
    expect(attempts[1] - attempts[0]).toBe(TICK_MS);
    expect(attempts[2] - attempts[1]).toBe(TICK_MS);
    const item = rig.stored().replicationQueue[0];
    expect(item).toMatchObject({ region: EUW1, attempts: 3, lastError: null });
    // Each repair is a stack update targeted at the region alone.
    const repairs = rig.mem.stack.calls.filter((c) => c.targets?.includes(EUW1) === true);
    expect(repairs.map((c) => c.targets)).toEqual([[EUW1], [EUW1], [EUW1]]);

    // The next replication check sees the member connected: the item leaves the queue.
    const resolved = await rig.until(
      (r) => r.decisions.some((d) => d.kind === "replication" && /connected again/.test(d.summary)),
      20,
    );
    expect(resolved.length).toBeGreaterThan(0);
    expect(rig.stored().replicationQueue).toEqual([]);
  });

  it("re-queues after the last attempt with a delay, and never drops the item", async () => {
    const rig = watchRig(config, { databaseCheckSeconds: 5 }, initialState(config));
    rig.mem.database.detached.add(EUW1);
    rig.mem.stack.failUp = (call) =>
      call.targets?.includes(EUW1) === true ? new StackUpdateError("dev", "quota exceeded") : undefined;
    let requeuedAt: number | null = null;
    await rig.until(() => {
      const q = rig.mem.state.current?.replicationQueue ?? [];
      if (q.length === 1 && /re-queued after 5 attempts/.test(q[0].reason))
        requeuedAt ??= rig.mem.clock.now();
      return requeuedAt !== null;
    }, 60);
    await rig.watcher.settled();
    const item = rig.stored().replicationQueue[0];
    expect(item).toMatchObject({
      region: EUW1,
      attempts: 0,
      lastError: expect.stringMatching(/quota exceeded/),
    });
    const next = Date.parse(item.nextAttemptAt);
    expect(next - (requeuedAt ?? 0)).toBeGreaterThanOrEqual(
      DEFAULT_REPLICATION_SETTINGS.requeueDelaySeconds * 1000 - TICK_MS,
    );
    // Nothing is attempted during the delay, and the item is still there after it.
    const before = rig.mem.stack.calls.length;
    await rig.ticks(Math.floor((next - rig.mem.clock.now()) / TICK_MS) - 1);
    expect(rig.mem.stack.calls.length).toBe(before);
    await rig.ticks(3);
    await rig.watcher.settled();
    expect(rig.mem.stack.calls.length).toBeGreaterThan(before);
    expect(rig.stored().replicationQueue.map((i) => i.region)).toEqual([EUW1]);
  });

  it("waits for an impaired region to be healthy before repairing it", async () => {
    const rig = watchRig(config, { databaseCheckSeconds: 5 }, initialState(config));
    rig.up[EUW1] = false;
    await rig.ticks(3);
    rig.mem.database.detached.add(EUW1);
    const reports = await rig.ticks(8);
    expect(rig.stored().replicationQueue.map((i) => i.region)).toEqual([EUW1]);
    expect(
      reports.flatMap((r) => r.decisions).some((d) => d.kind === "repair" && d.action === "deferred"),
    ).toBe(true);
    expect(rig.mem.stack.calls.filter((c) => c.targets?.includes(EUW1) === true)).toEqual([]);
    expect(rig.stored().replicationQueue.map((i) => i.region)).toEqual([EUW1]);
  });
});

describe("watcher: sync retry", () => {
  it("retries a failed sync run retrySeconds later until it succeeds", async () => {
    const state = initialState(config);
    const rig = watchRig(
      config,
      { databaseCheckSeconds: 3600 },
      {
        ...state,
        sync: {
          ...state.sync,
          [USW2]: {
            lastSync: null,
            status: "error",
            lastError: "pod evicted",
            nextRunAt: new Date(0).toISOString(),
          },
        },
      },
    );
    let runs = 0;
    rig.mem.sync.policy = (_region, now) => {
      runs += 1;
      return runs === 1
        ? { ok: false, watermark: null, detail: "BackoffLimitExceeded" }
        : { ok: true, watermark: new Date(now - 1000).toISOString(), detail: "synced" };
    };
    const first = await rig.watcher.tick();
    expect(first.decisions).toContainEqual(
      expect.objectContaining({ kind: "sync-retry", action: "started" }),
    );
    await rig.watcher.settled();
    const failed = rig.stored().sync[USW2];
    expect(failed).toMatchObject({ status: "error", lastError: "BackoffLimitExceeded" });
    const retryAt = Date.parse(failed.nextRunAt ?? "");
    expect(retryAt - rig.mem.clock.now()).toBe(config.sync.retrySeconds * 1000);

    const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "sync-retry"), 60);
    expect(Date.parse(reports.at(-1)?.at ?? "")).toBeGreaterThanOrEqual(retryAt);
    await rig.watcher.settled();
    const ok = rig.stored().sync[USW2];
    expect(ok.status).toBe("idle");
    expect(ok.lastSync).not.toBeNull();
    expect(ok.lastError).toBeNull();
    expect(runs).toBe(2);
  });
});

describe("watcher: after a failover", () => {
  it("readmits the old writer once it is healthy and connected, then reports that a failback is possible", async () => {
    const rig = watchRig(config, {}, initialState(config));
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover"));
    await rig.watcher.settled();
    expect(rig.stored().writer).not.toBe(USE1);

    rig.up[USE1] = true;
    const readmit = await rig.until((r) => r.decisions.some((d) => d.kind === "readmit"), 20);
    expect(readmit.at(-1)?.decisions.find((d) => d.kind === "readmit")).toMatchObject({
      action: "started",
      region: USE1,
    });
    await rig.watcher.settled();
    expect(rig.stored().regions[USE1]).toMatchObject({ drained: false, excluded: false });

    const ready = await rig.until((r) => r.decisions.some((d) => d.kind === "failback-ready"), 10);
    expect(ready.at(-1)?.decisions.find((d) => d.kind === "failback-ready")).toMatchObject({
      action: "reported",
      region: USE1,
      command: "regionctl failback --stack dev",
    });
    // A failback is a person's decision: the watcher does not move the writer back by itself.
    await rig.ticks(5);
    expect(rig.mem.log.of("database", "switchover")).toEqual([]);
  });
});

describe("watcher: interrupted operations", () => {
  it("does not push on an interrupted release: it reports the commands for a person", async () => {
    const state = initialState(config);
    const rig = watchRig(
      config,
      { databaseCheckSeconds: 3600 },
      {
        ...state,
        operation: {
          id: "deploy-2.0.0",
          kind: "deploy",
          plan: {
            id: "deploy-2.0.0",
            kind: "deploy",
            summary: "x",
            steps: [],
            compensation: [],
            regions: [],
          },
          before: state.regions,
          writerBefore: USE1,
          phase: "running",
          cursor: 0,
          steps: [],
          startedAt: new Date(0).toISOString(),
          finishedAt: null,
          reason: null,
        },
      },
    );
    const r = await rig.watcher.tick();
    // Waiting for a person (exit 3): nothing failed, the release waits to be resumed or aborted.
    expect(r.exitCode).toBe(3);
    expect(r.decisions).toEqual([
      expect.objectContaining({
        kind: "operation",
        action: "reported",
        command: "regionctl resume --stack dev  # or: regionctl abort --stack dev",
      }),
    ]);
    expect(rig.watcher.running).toBeNull();
    expect(rig.stored().operation?.phase).toBe("running");
  });
});
