import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState, RepairItem } from "../../components/operationalState";
import type { GlobalClusterView } from "../ports";
import { RULES, memberOf, refuse } from "./failoverSafety";
import { fenceSteps } from "./fence";
import type { Plan, Refusal, Step } from "./steps";

/**
 * Replication retry. Aurora copies the data; what can break is membership: a secondary that left
 * the global database, or one stuck re-synchronising. Such a region is queued for repair (a stack
 * update for that region, which re-creates and re-attaches its secondary cluster). Attempts back
 * off as 2^n seconds with jitter; after the last one the repair goes back into the
 * queue with a delay. Nothing is ever dropped: an item leaves the queue only when its member is
 * seen connected again.
 */

export interface ReplicationSettings {
  /** Attempts with exponential backoff before the item is re-queued. Default 5. */
  readonly maxAttempts: number;
  /** Seconds a member may stay `pending-resync` before it is rebuilt. Default 1800. */
  readonly resyncBoundSeconds: number;
  /** Seconds before a re-queued item's next round of attempts. Default 300. */
  readonly requeueDelaySeconds: number;
  /** Spread of the jitter around 2^n, as a fraction. Default 0.2 (±20 %). */
  readonly jitter: number;
}

export const DEFAULT_REPLICATION_SETTINGS: ReplicationSettings = {
  maxAttempts: 5,
  resyncBoundSeconds: 1800,
  requeueDelaySeconds: 300,
  jitter: 0.2,
};

/** What the watcher remembers between observations: since when each member is pending-resync. */
export type ResyncMemory = Readonly<Record<string, number>>;

export interface ReplicationFinding {
  readonly region: string;
  readonly reason: string;
}

export interface ReplicationObservation {
  /** Regions that need a repair now. */
  readonly problems: readonly ReplicationFinding[];
  /** Regions whose member is connected: their repairs are done. */
  readonly connected: readonly string[];
  readonly memory: ResyncMemory;
}

/** Compares the global database's members with the environment's regions. */
export function observeReplication(
  config: EnvironmentConfig,
  state: OperationalState,
  database: GlobalClusterView,
  memory: ResyncMemory,
  now: number,
  settings: ReplicationSettings = DEFAULT_REPLICATION_SETTINGS,
): ReplicationObservation {
  const problems: ReplicationFinding[] = [];
  const connected: string[] = [];
  const next: Record<string, number> = {};
  const detached = database.detachedWriter;
  for (const { region } of config.regions) {
    // The writer's own cluster is failover's business, not a re-attach.
    if (region === state.writer || region === database.writer) continue;
    if (detached !== undefined) {
      // After a detach failover the members are the old global cluster's: "connected" there is
      // connected to the old writer, not to the one taking the writes. Each needs rebuilding.
      problems.push({
        region,
        reason: `its cluster must be rebuilt under ${detached}, detached and promoted`,
      });
      continue;
    }
    const member = memberOf(database, region);
    if (member === undefined) {
      problems.push({ region, reason: "its cluster is not a member of the global database" });
    } else if (member.status === "pending-resync") {
      const since = memory[region] ?? now;
      next[region] = since;
      const seconds = Math.floor((now - since) / 1000);
      if (seconds >= settings.resyncBoundSeconds) {
        problems.push({ region, reason: `its member has been pending-resync for ${seconds} s` });
      }
    } else if (member.status === "connected") {
      connected.push(region);
    }
  }
  return { problems, connected, memory: next };
}

/** Queues a repair for `region` unless one is queued already. */
export function enqueueRepair(
  queue: readonly RepairItem[],
  finding: ReplicationFinding,
  now: number,
): RepairItem[] {
  if (queue.some((i) => i.region === finding.region)) return [...queue];
  const at = new Date(now).toISOString();
  return [
    ...queue,
    {
      region: finding.region,
      reason: finding.reason,
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      queuedAt: at,
    },
  ];
}

/** Drops the items of regions whose member is connected again: the only way out of the queue. */
export function resolveRepairs(queue: readonly RepairItem[], connected: readonly string[]): RepairItem[] {
  return queue.filter((i) => !connected.includes(i.region));
}

export function dueRepairs(queue: readonly RepairItem[], now: number): RepairItem[] {
  return queue.filter((i) => Date.parse(i.nextAttemptAt) <= now);
}

/** 2^attempt seconds, spread by ±jitter so repairs of several regions do not march in step. */
export function repairBackoffSeconds(
  attempt: number,
  random: () => number,
  settings: ReplicationSettings = DEFAULT_REPLICATION_SETTINGS,
): number {
  const spread = 1 - settings.jitter + 2 * settings.jitter * random();
  return 2 ** attempt * spread;
}

/**
 * Records one repair attempt. A successful stack update still counts: the item stays until the
 * member is seen connected, and the next attempt waits out the backoff. After `maxAttempts`, the
 * item goes to the back of the queue with a fresh count and `requeueDelaySeconds` of delay.
 */
export function recordRepairAttempt(
  queue: readonly RepairItem[],
  region: string,
  outcome: { readonly ok: true } | { readonly ok: false; readonly error: string },
  now: number,
  random: () => number,
  settings: ReplicationSettings = DEFAULT_REPLICATION_SETTINGS,
): RepairItem[] {
  const item = queue.find((i) => i.region === region);
  if (item === undefined) return [...queue];
  const attempts = item.attempts + 1;
  const lastError = outcome.ok ? null : outcome.error;
  if (attempts >= settings.maxAttempts) {
    const requeued: RepairItem = {
      ...item,
      attempts: 0,
      lastError,
      reason: `${baseReason(item.reason)} (re-queued after ${attempts} attempts)`,
      nextAttemptAt: new Date(now + settings.requeueDelaySeconds * 1000).toISOString(),
    };
    return [...queue.filter((i) => i.region !== region), requeued];
  }
  const delayMs = Math.round(repairBackoffSeconds(attempts, random, settings) * 1000);
  return queue.map((i) =>
    i.region === region
      ? { ...i, attempts, lastError, nextAttemptAt: new Date(now + delayMs).toISOString() }
      : i,
  );
}

function baseReason(reason: string): string {
  return reason.replace(/ \(re-queued after \d+ attempts\)$/, "");
}

/**
 * One repair: bring the region back under stack management if a failover excluded it (it stays
 * out of traffic), then a stack update targeted at it that refreshes first, so it sees the cluster
 * that changed outside Pulumi, and re-creates and re-attaches it from the current plan.
 */
export function planRepair(
  config: EnvironmentConfig,
  state: OperationalState,
  item: RepairItem,
  id: string,
): Plan | Refusal {
  const rs = state.regions[item.region];
  if (rs === undefined)
    return refuse(RULES.validTarget, `${item.region} is not a region of this environment`);
  if (item.region === state.writer) {
    return refuse(
      RULES.neverTwoWriters,
      `${item.region} is the writer; its cluster is not re-attached as a secondary`,
    );
  }
  // A cluster a detach left writable is stopped before its region is touched at all.
  const steps: Step[] = fenceSteps(state, item.region, "repair");
  if (rs.excluded) {
    steps.push({
      id: "repair/readmit",
      kind: "patchState",
      description: `bring ${item.region} back under stack management (it stays out of traffic)`,
      patch: {
        regions: { [item.region]: { excluded: false, drained: true, note: `repairing: ${item.reason}` } },
      },
    });
  }
  steps.push({
    id: "repair/stack",
    kind: "stackUpdate",
    description: `refresh ${item.region}'s resources, then re-create and re-attach its secondary cluster`,
    targets: [item.region],
    // The cluster left the global database outside Pulumi: without a refresh first, the update
    // trusts the stack's record of it and re-creates nothing.
    refresh: true,
  });
  return {
    id,
    kind: "repair",
    summary: `repair ${item.region}'s replication (${item.reason}; attempt ${item.attempts + 1})`,
    steps,
    compensation: [],
    regions: [item.region],
  };
}
