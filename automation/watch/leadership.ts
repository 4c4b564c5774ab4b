import { type Clock, type Lease, LeaseHeldError, LeaseLostError, type StateStore } from "../ports";

/** The lease methods of the store that holds the leadership lease. */
export type LeadershipLeases = Pick<StateStore, "acquireLease" | "renewLease" | "readLease" | "releaseLease">;

/** The operation name the leadership lease is taken under. */
export const LEAD_OPERATION = "lead";

export interface LeadershipRun {
  /** Stops the loop where it waits (the process died or was stopped). */
  readonly signal: AbortSignal;
  /** Checked before each round: false ends the loop. Default: until the signal fires. */
  readonly alive?: () => boolean;
  /** This replica took the lease: a new term. */
  readonly onTake?: (term: Lease) => void;
  /** This replica lost the lease it held (another took it, or its term lapsed unrenewed). */
  readonly onLose?: (why: string) => void;
}

/**
 * One watcher replica's leadership: it takes the lease when it is free and renews it every third
 * of its TTL; a standby looks again the moment the held lease lapses. Only the leader acts; a
 * leader that failed to renew before its term ran out stops leading at once, whatever the store
 * says later. The drill and the CLI run this same loop, over their own stores and clocks.
 */
export class Leadership {
  private current: Lease | null = null;

  constructor(
    private readonly leases: LeadershipLeases,
    readonly holder: string,
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /** The lease this replica took or last renewed, or null: what fences its changes. */
  term(): Lease | null {
    return this.current;
  }

  /** It holds a term that has not run out on its own clock. */
  leads(): boolean {
    return this.current !== null && this.current.expiresAt > this.clock.now();
  }

  /** Holds `term` without taking it from the store (a test's or the drill's leaderless mode). */
  assume(term: Lease | null): void {
    this.current = term;
  }

  /** The loop: take, renew, and notice a loss, until stopped. */
  async run(options: LeadershipRun): Promise<void> {
    const clock = this.clock;
    const ttl = this.ttlMs;
    const alive = options.alive ?? (() => !options.signal.aborted);
    while (alive()) {
      try {
        if (this.current === null) {
          this.current = await this.leases.acquireLease(this.holder, LEAD_OPERATION, ttl);
          options.onTake?.(this.current);
        } else {
          this.current = await this.leases.renewLease(this.current, ttl);
        }
      } catch (err) {
        const held = this.current;
        if (err instanceof LeaseLostError) this.current = null;
        else if (!(err instanceof LeaseHeldError) && held !== null && held.expiresAt <= clock.now())
          this.current = null;
        if (held !== null && this.current === null) {
          options.onLose?.(err instanceof Error ? err.message : String(err));
        }
      }
      // A leader renews every third of the TTL; a standby looks again when the held lease lapses,
      // and at least once a TTL (a lease taken for longer, or released early, by someone else).
      const held = this.current === null ? await this.leases.readLease().catch(() => null) : null;
      const wait =
        held !== null && held.expiresAt > clock.now()
          ? Math.min(held.expiresAt - clock.now(), ttl)
          : Math.floor(ttl / 3);
      try {
        await clock.sleep(wait, options.signal);
      } catch {
        return;
      }
    }
  }

  /** Steps down: releases the lease it holds so a standby takes over at once, not after the TTL. */
  async resign(): Promise<void> {
    const term = this.current;
    this.current = null;
    if (term !== null) await this.leases.releaseLease(term).catch(() => undefined);
  }
}
