import { describe, expect, it } from "vitest";
import { isRefusal } from "../../automation/plans/steps";
import {
  dueSyncRetries,
  ensureRetryScheduled,
  planSync,
  syncFinished,
  syncableRegions,
} from "../../automation/plans/sync";
import { R, drConfig, drState, flatSteps } from "./failoverFixtures";

const config = drConfig(3);
const T0 = Date.UTC(2025, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

describe("sync planner", () => {
  it("syncs every secondary at once by default", () => {
    const plan = planSync(config, drState(config), "sync-1");
    if (isRefusal(plan)) throw new Error(plan.reason);
    expect(plan.steps).toHaveLength(1);
    expect(
      flatSteps(plan.steps)
        .filter((s) => s.kind === "syncRun")
        .map((s) => (s.kind === "syncRun" ? s.region : "")),
    ).toEqual([R.euw1, R.usw2]);
  });

  it("syncs one region when asked", () => {
    const plan = planSync(config, drState(config), "sync-1", [R.usw2]);
    if (isRefusal(plan)) throw new Error(plan.reason);
    expect(plan.steps).toEqual([expect.objectContaining({ kind: "syncRun", region: R.usw2 })]);
  });

  it("refuses the writer, unknown regions and excluded ones", () => {
    expect(isRefusal(planSync(config, drState(config), "s", [R.use1]))).toBe(true);
    expect(isRefusal(planSync(config, drState(config), "s", ["sa-east-1"]))).toBe(true);
    const excluded = drState(config, {
      regions: { [R.usw2]: { excluded: true, drained: true, note: "failed: x" } },
    });
    expect(isRefusal(planSync(config, excluded, "s", [R.usw2]))).toBe(true);
    expect(syncableRegions(excluded)).toEqual([R.euw1]);
  });
});

describe("sync state", () => {
  it("records the watermark of a good run", () => {
    const s = syncFinished(undefined, { ok: true, watermark: iso(T0), detail: "ok" }, T0 + 5, 300);
    expect(s).toEqual({ lastSync: iso(T0), status: "idle", lastError: null, nextRunAt: null });
  });

  it("keeps the old watermark and schedules a retry after a failed run", () => {
    const prev = { lastSync: iso(T0 - 1000), status: "running" as const, lastError: null, nextRunAt: null };
    const s = syncFinished(prev, { ok: false, watermark: null, detail: "BackoffLimitExceeded" }, T0, 300);
    expect(s).toEqual({
      lastSync: iso(T0 - 1000),
      status: "error",
      lastError: "BackoffLimitExceeded",
      nextRunAt: iso(T0 + 300_000),
    });
  });

  it("a region in error is due at its retry time, and never stays stuck", () => {
    const state = {
      ...drState(config),
      sync: {
        [R.usw2]: { lastSync: null, status: "error" as const, lastError: "x", nextRunAt: iso(T0 + 300_000) },
        [R.euw1]: { lastSync: null, status: "error" as const, lastError: "x", nextRunAt: null },
      },
    };
    expect(dueSyncRetries(state, T0)).toEqual([R.euw1]);
    expect(dueSyncRetries(state, T0 + 300_000)).toEqual([R.euw1, R.usw2]);
    expect(ensureRetryScheduled(state.sync[R.euw1], T0, 300).nextRunAt).toBe(iso(T0 + 300_000));
  });

  it("a run left `running` by a dead process is due once no operation is in flight", () => {
    const running = { lastSync: null, status: "running" as const, lastError: null, nextRunAt: null };
    const idle = { ...drState(config), sync: { [R.usw2]: running } };
    expect(dueSyncRetries(idle, T0)).toEqual([R.usw2]);
    const busy = {
      ...idle,
      operation: {
        id: "sync-1",
        kind: "sync" as const,
        plan: {},
        before: {},
        writerBefore: R.use1,
        phase: "running" as const,
        cursor: 0,
        steps: [],
        startedAt: iso(T0),
        finishedAt: null,
        reason: null,
      },
    };
    expect(dueSyncRetries(busy, T0)).toEqual([]);
  });
});
