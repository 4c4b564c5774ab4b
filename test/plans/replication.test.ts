import { describe, expect, it } from "vitest";
import type { RepairItem } from "../../components/operationalState";
import {
  DEFAULT_REPLICATION_SETTINGS,
  dueRepairs,
  enqueueRepair,
  observeReplication,
  planRepair,
  recordRepairAttempt,
  repairBackoffSeconds,
  resolveRepairs,
} from "../../automation/plans/replication";
import { isRefusal } from "../../automation/plans/steps";
import { R, cluster, drConfig, drState } from "./failoverFixtures";

const config = drConfig(3);
const T0 = Date.UTC(2025, 0, 1);

/** A deterministic jitter source (mulberry32), as the watcher takes one. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("replication: detection", () => {
  const state = drState(config);

  it("flags a secondary whose member is missing, and reports connected ones", () => {
    const obs = observeReplication(config, state, cluster(R.use1, { [R.use1]: {}, [R.usw2]: {} }), {}, T0);
    expect(obs.problems).toEqual([
      { region: R.euw1, reason: "its cluster is not a member of the global database" },
    ]);
    expect(obs.connected).toEqual([R.usw2]);
  });

  it("flags pending-resync only once it lasted beyond the bound", () => {
    const db = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { status: "pending-resync" }, [R.euw1]: {} });
    const first = observeReplication(config, state, db, {}, T0);
    expect(first.problems).toEqual([]);
    expect(first.memory).toEqual({ [R.usw2]: T0 });
    const bound = DEFAULT_REPLICATION_SETTINGS.resyncBoundSeconds * 1000;
    const before = observeReplication(config, state, db, first.memory, T0 + bound - 1000);
    expect(before.problems).toEqual([]);
    const after = observeReplication(config, state, db, before.memory, T0 + bound);
    expect(after.problems.map((p) => p.region)).toEqual([R.usw2]);
    expect(after.problems[0].reason).toMatch(/pending-resync for 1800 s/);
    // Connected again: the memory forgets it.
    const healed = observeReplication(
      config,
      state,
      cluster(R.use1, { [R.use1]: {}, [R.usw2]: {}, [R.euw1]: {} }),
      after.memory,
      T0 + bound + 1,
    );
    expect(healed.memory).toEqual({});
  });

  it("never treats the writer's own cluster as a secondary to re-attach", () => {
    const obs = observeReplication(config, state, cluster(R.use1, { [R.usw2]: {}, [R.euw1]: {} }), {}, T0);
    expect(obs.problems).toEqual([]);
  });
});

describe("replication: queue", () => {
  const item = (region: string): RepairItem => ({
    region,
    reason: "missing",
    attempts: 0,
    nextAttemptAt: new Date(T0).toISOString(),
    lastError: null,
    queuedAt: new Date(T0).toISOString(),
  });

  it("queues a region once, and releases it only when its member is connected", () => {
    let q = enqueueRepair([], { region: R.usw2, reason: "missing" }, T0);
    q = enqueueRepair(q, { region: R.usw2, reason: "other" }, T0 + 5);
    expect(q).toHaveLength(1);
    expect(q[0].reason).toBe("missing");
    q = enqueueRepair(q, { region: R.euw1, reason: "missing" }, T0);
    expect(resolveRepairs(q, [R.usw2]).map((i) => i.region)).toEqual([R.euw1]);
  });

  it("backs off 2^n seconds with jitter inside ±20 %", () => {
    expect(repairBackoffSeconds(3, () => 0.5)).toBe(8);
    expect(repairBackoffSeconds(3, () => 0)).toBeCloseTo(6.4);
    expect(repairBackoffSeconds(3, () => 0.999999)).toBeCloseTo(9.6, 3);
    const rnd = seeded(7);
    for (let n = 1; n <= 6; n++) {
      const s = repairBackoffSeconds(n, rnd);
      expect(s).toBeGreaterThanOrEqual(2 ** n * 0.8);
      expect(s).toBeLessThanOrEqual(2 ** n * 1.2);
    }
  });

  it("spaces attempts exponentially, re-queues after the last one with a delay, and never drops the item", () => {
    const random = seeded(42);
    let q: RepairItem[] = [item(R.euw1), item(R.usw2)];
    let now = T0;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      q = recordRepairAttempt(q, R.usw2, { ok: false, error: `boom ${attempt}` }, now, random);
      const it = q.find((i) => i.region === R.usw2);
      if (it === undefined) throw new Error("dropped");
      delays.push((Date.parse(it.nextAttemptAt) - now) / 1000);
      now = Date.parse(it.nextAttemptAt);
    }
    // Four backoffs of about 2, 4, 8, 16 s, then the re-queue delay.
    delays.slice(0, 4).forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(2 ** (i + 1) * 0.8);
      expect(d).toBeLessThanOrEqual(2 ** (i + 1) * 1.2);
    });
    expect(delays[4]).toBe(DEFAULT_REPLICATION_SETTINGS.requeueDelaySeconds);
    const requeued = q.at(-1);
    expect(requeued).toMatchObject({ region: R.usw2, attempts: 0, lastError: "boom 5" });
    expect(requeued?.reason).toBe("missing (re-queued after 5 attempts)");
    // Another full round: still queued, the note does not pile up.
    for (let i = 0; i < 5; i++)
      q = recordRepairAttempt(q, R.usw2, { ok: false, error: "again" }, now, random);
    expect(q.filter((i) => i.region === R.usw2)).toHaveLength(1);
    expect(q.find((i) => i.region === R.usw2)?.reason).toBe("missing (re-queued after 5 attempts)");
    expect(q.map((i) => i.region)).toContain(R.euw1);
  });

  it("a successful update still waits for the member to be seen connected", () => {
    const q = recordRepairAttempt([item(R.usw2)], R.usw2, { ok: true }, T0, () => 0.5);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({
      attempts: 1,
      lastError: null,
      nextAttemptAt: new Date(T0 + 2000).toISOString(),
    });
  });

  it("lists due items only", () => {
    const later = { ...item(R.euw1), nextAttemptAt: new Date(T0 + 10_000).toISOString() };
    expect(dueRepairs([item(R.usw2), later], T0).map((i) => i.region)).toEqual([R.usw2]);
    expect(dueRepairs([item(R.usw2), later], T0 + 10_000)).toHaveLength(2);
  });
});

describe("replication: repair plan", () => {
  const queued: RepairItem = {
    region: R.usw2,
    reason: "missing",
    attempts: 2,
    nextAttemptAt: new Date(T0).toISOString(),
    lastError: null,
    queuedAt: new Date(T0).toISOString(),
  };

  it("is a stack update targeted at the region, refreshing first", () => {
    const plan = planRepair(config, drState(config), queued, "repair-1");
    if (isRefusal(plan)) throw new Error(plan.reason);
    // The cluster left the global database outside Pulumi: only a refreshed update re-creates it.
    expect(plan.steps).toEqual([
      expect.objectContaining({ kind: "stackUpdate", targets: [R.usw2], refresh: true }),
    ]);
    expect(plan.regions).toEqual([R.usw2]);
    expect(plan.summary).toMatch(/attempt 3/);
  });

  it("first brings an excluded region back under stack management, still out of traffic", () => {
    const state = drState(config, {
      regions: { [R.usw2]: { excluded: true, drained: true, note: "failed: x" } },
    });
    const plan = planRepair(config, state, queued, "repair-1");
    if (isRefusal(plan)) throw new Error(plan.reason);
    expect(plan.steps.map((s) => s.kind)).toEqual(["patchState", "stackUpdate"]);
    expect(plan.steps[0]).toMatchObject({
      patch: { regions: { [R.usw2]: { excluded: false, drained: true } } },
    });
  });

  it("refuses to re-attach the writer", () => {
    const plan = planRepair(config, drState(config), { ...queued, region: R.use1 }, "repair-1");
    expect(isRefusal(plan)).toBe(true);
  });
});
