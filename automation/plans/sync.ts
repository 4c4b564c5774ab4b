import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState, SyncState } from "../../components/operationalState";
import type { SyncRunResult } from "../ports";
import { syncSteps } from "./failover";
import { RULES, operationInFlight, refuse } from "./failoverSafety";
import type { Plan, Refusal } from "./steps";

/**
 * Sync jobs: each secondary region's CronJob pulls the writer's changes since its watermark. The
 * controller also runs it on demand (after a failover or failback, or `regionctl sync`), records
 * the watermark, and retries a failed run `sync.retrySeconds` later, so no region stays in `error`.
 */

export const IDLE_SYNC: SyncState = { lastSync: null, status: "idle", lastError: null, nextRunAt: null };

/** Secondary regions a sync may run in: not the writer, not excluded (impaired). */
export function syncableRegions(state: OperationalState): string[] {
  return Object.entries(state.regions)
    .filter(([region, rs]) => region !== state.writer && !rs.excluded)
    .map(([region]) => region)
    .sort();
}

export function planSync(
  config: EnvironmentConfig,
  state: OperationalState,
  id: string,
  regions?: readonly string[],
): Plan | Refusal {
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  const allowed = syncableRegions(state);
  const wanted = regions ?? allowed;
  for (const region of wanted) {
    if (state.regions[region] === undefined) {
      return refuse(RULES.validTarget, `${region} is not a region of this environment`);
    }
    if (region === state.writer)
      return refuse(RULES.validTarget, `${region} is the writer; it has no sync job`);
    if (!allowed.includes(region)) {
      return refuse(
        RULES.targetHealthy,
        `${region} is excluded (${state.regions[region].note ?? "impaired"})`,
      );
    }
  }
  if (wanted.length === 0) return refuse(RULES.validTarget, "no secondary region to sync");
  return {
    id,
    kind: "sync",
    summary: `sync ${wanted.join(", ")} from the writer ${state.writer}`,
    steps: syncSteps("sync", wanted),
    compensation: [],
    regions: [...wanted],
  };
}

export function syncStarted(current: SyncState | undefined): SyncState {
  return { ...(current ?? IDLE_SYNC), status: "running" };
}

/** A finished run: the new watermark, or the error and when to retry. */
export function syncFinished(
  current: SyncState | undefined,
  result: SyncRunResult,
  now: number,
  retrySeconds: number,
): SyncState {
  const base = current ?? IDLE_SYNC;
  if (result.ok) {
    return { lastSync: result.watermark ?? base.lastSync, status: "idle", lastError: null, nextRunAt: null };
  }
  return {
    ...base,
    status: "error",
    lastError: result.detail,
    nextRunAt: new Date(now + retrySeconds * 1000).toISOString(),
  };
}

/**
 * Regions whose sync is due for a retry. An `error` without a retry time is due at once, and a
 * `running` status with no operation in flight is a run that died with its process: also due.
 * Either way no region stays stuck.
 */
export function dueSyncRetries(state: OperationalState, now: number): string[] {
  const idle = operationInFlight(state) === null;
  return syncableRegions(state).filter((region) => {
    const s = state.sync[region];
    if (s === undefined) return false;
    if (s.status === "error") return s.nextRunAt === null || Date.parse(s.nextRunAt) <= now;
    return s.status === "running" && idle;
  });
}

/** Fills in a retry time for a region left in `error` without one (e.g. by an older run). */
export function ensureRetryScheduled(current: SyncState, now: number, retrySeconds: number): SyncState {
  if (current.status !== "error" || current.nextRunAt !== null) return current;
  return { ...current, nextRunAt: new Date(now + retrySeconds * 1000).toISOString() };
}
