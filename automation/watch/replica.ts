import type { Lease, StateStore } from "../ports";
import { FencedStateStore } from "./fencedStateStore";
import { Leadership } from "./leadership";
import type { VantageBoard } from "./vantageBoard";
import type { TickReport, Watcher, WatcherOptions } from "./watcher";
import { createWatcher } from "./watcher";

/** The time a replica takes to read the others' verdicts after publishing its own. */
export const GATHER_MS = 500;

/**
 * A replica's report votes while it is at most an interval, a probe timeout, the gathering time
 * and this margin old: the newest report of a live replica whose round waited out a timeout is
 * that old when another decides; a dead replica's last one is older by the time it matters.
 */
export const FRESH_MARGIN_MS = 1000;

/**
 * Leadership leases per check interval. A lease of a third of an interval, renewed every third of
 * that and taken by a standby the moment it lapses, leaves the lead vacant for at most a third of
 * an interval after the leader dies, so the new leader acts on the dead one's pending decision
 * before the next tick.
 */
export const LEASE_PER_INTERVAL = 3;

export interface ReplicaTimings {
  readonly leadershipTtlMs: number;
  readonly gatherMs: number;
  readonly freshMs: number;
}

/** The leadership lease and vote timings of replicas that look every `intervalMs`. */
export function replicaTimings(intervalMs: number, probeTimeoutMs: number): ReplicaTimings {
  return {
    leadershipTtlMs: intervalMs / LEASE_PER_INTERVAL,
    gatherMs: GATHER_MS,
    freshMs: intervalMs + probeTimeoutMs + GATHER_MS + FRESH_MARGIN_MS,
  };
}

export interface ReplicaOptions extends Omit<WatcherOptions, "acting" | "vantage"> {
  /** This replica's vantage point: its region. */
  readonly voter: string;
  /** The store holding the leadership lease (its lease methods only). */
  readonly leaders: Pick<StateStore, "acquireLease" | "renewLease" | "readLease" | "releaseLease">;
  readonly board: VantageBoard;
  readonly intervalMs: number;
  /** It took the lead; `report` is its decision on what it already knew (null: it knew nothing yet). */
  readonly onLead?: (term: Lease, report: Promise<TickReport | null>) => void;
  /** It lost the lead. */
  readonly onStandBy?: (why: string) => void;
}

export interface Replica {
  readonly watcher: Watcher;
  /** Its view of the state store: changes go through only while it holds the leadership lease. */
  readonly state: StateStore;
  readonly leadership: Leadership;
  /** The leadership loop, until `signal` fires. */
  readonly leading: Promise<void>;
}

/**
 * One watcher replica outside the drill: the watcher, its leadership loop and its fenced view of
 * the state store, wired as the drill wires each of its replicas. Only the lease holder acts; a
 * standby observes, publishes its verdicts and decides as a dry run, so it can take over at once.
 */
export function startReplica(options: ReplicaOptions): Replica {
  const { voter, leaders, board, intervalMs, onLead, onStandBy, ...base } = options;
  const clock = base.ports.clock;
  const timings = replicaTimings(intervalMs, base.config.dns.healthCheck.timeoutSeconds * 1000);
  const leadership = new Leadership(leaders, base.holder, clock, timings.leadershipTtlMs);
  const fenced = new FencedStateStore(
    base.ports.state,
    { leases: leaders, term: () => leadership.term() },
    base.holder,
    clock,
  );
  const watcher = createWatcher({
    ...base,
    ports: { ...base.ports, state: fenced },
    // The operation lease lapses within an interval of its holder's death, so the new leader
    // resumes the operation at once, as in the drill.
    leaseTtlMs: base.leaseTtlMs ?? intervalMs,
    acting: () => leadership.leads(),
    vantage: { voter, board, freshMs: timings.freshMs, gatherMs: timings.gatherMs },
  });
  const signal = base.signal ?? new AbortController().signal;
  const leading = leadership.run({
    signal,
    onTake: (term) => onLead?.(term, watcher.decideAgain()),
    onLose: (why) => onStandBy?.(why),
  });
  return { watcher, state: fenced, leadership, leading };
}
