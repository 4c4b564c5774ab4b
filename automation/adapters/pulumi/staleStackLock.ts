/**
 * Whether a Pulumi stack lock that blocks an engine command may be cancelled (`pulumi cancel`).
 * Pure: the caller supplies the time, this host's name, which pids live, and the lease it read.
 *
 * Two rules, either is enough:
 * - every holder is provably dead: a process on this machine whose pid is gone;
 * - no holder runs on this machine, every lock is older than the environment's lease TTL, and the
 *   state store shows no live lease holder besides this run. A regionctl that runs an update keeps
 *   its lease renewed, so a lock that outlived a lapsed lease was left by a run that died elsewhere.
 * A lock held by a live process on this machine, or while someone holds a live lease, is kept.
 */

/** One stack lock, from the CLI's "created by user@host (pid N) at <RFC 3339 time>" line. */
export interface StackLock {
  readonly host: string;
  readonly pid: number;
  /** Milliseconds since the epoch, by the holder's clock; null when the line gives no time. */
  readonly since: number | null;
}

export function parseStackLocks(detail: string): StackLock[] {
  return [...detail.matchAll(/@([^\s@()]+) \(pid (\d+)\)(?: at ([^\s;]+))?/g)].map((m) => {
    const since = m[3] === undefined ? Number.NaN : Date.parse(m[3]);
    return { host: m[1], pid: Number(m[2]), since: Number.isNaN(since) ? null : since };
  });
}

export interface StaleLockInput {
  readonly locks: readonly StackLock[];
  readonly now: number;
  readonly thisHost: string;
  readonly pidAlive: (pid: number) => boolean;
  /** The lease TTL; absent when this engine was given no lease to consult (then only dead pids count). */
  readonly leaseTtlMs?: number;
  /** A live lease's holder other than this run, or null when there is none. Absent: not consulted. */
  readonly otherLeaseHolder?: string | null;
}

export type StaleLockVerdict =
  { readonly cancel: true; readonly why: string } | { readonly cancel: false; readonly why: string };

export function judgeStackLock(input: StaleLockInput): StaleLockVerdict {
  const { locks, now, thisHost } = input;
  if (locks.length === 0) return keep("the lock names no holder");
  const local = locks.filter((l) => l.host === thisHost);
  const live = local.filter((l) => input.pidAlive(l.pid));
  if (live.length > 0) return keep(`pid ${live.map((l) => l.pid).join(", ")} on ${thisHost} still runs`);
  const remote = locks.filter((l) => l.host !== thisHost);
  if (remote.length === 0) return { cancel: true, why: "which no longer runs" };

  const ttl = input.leaseTtlMs;
  if (ttl === undefined || input.otherLeaseHolder === undefined) {
    return keep("a holder on another machine cannot be proven dead");
  }
  const fresh = remote.filter((l) => l.since === null || now - l.since <= ttl);
  if (fresh.length > 0) {
    return keep(`a lock on another machine is not older than the ${seconds(ttl)} lease`);
  }
  if (input.otherLeaseHolder !== null) {
    return keep(`${input.otherLeaseHolder} holds the environment's lease`);
  }
  return {
    cancel: true,
    why: `older than the ${seconds(ttl)} lease, with no live lease holder in the state store`,
  };
}

function keep(why: string): StaleLockVerdict {
  return { cancel: false, why };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
