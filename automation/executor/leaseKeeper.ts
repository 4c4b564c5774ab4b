import { type Clock, type Lease, LeaseLostError, type StateStore } from "../ports";

/**
 * Renews the environment's lease every third of its TTL while an operation runs, so a live run
 * keeps it and a killed one loses it after at most one TTL. Losing the lease to someone else calls
 * `onLost`: the run must stop, because another run may now be changing the environment.
 */
export class LeaseKeeper {
  private readonly stopper = new AbortController();
  private readonly loop: Promise<void>;

  constructor(
    private lease: Lease,
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    onLost: (err: LeaseLostError) => void,
    onError: (err: unknown) => void,
  ) {
    this.loop = this.run(onLost, onError);
  }

  get current(): Lease {
    return this.lease;
  }

  /** Stops renewing and releases the lease. */
  async release(): Promise<void> {
    this.stopper.abort();
    await this.loop;
    await this.store.releaseLease(this.lease);
  }

  private async run(onLost: (err: LeaseLostError) => void, onError: (err: unknown) => void): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(Math.max(1, Math.floor(this.ttlMs / 3)), signal);
      } catch {
        return;
      }
      try {
        this.lease = await this.store.renewLease(this.lease, this.ttlMs);
      } catch (err) {
        if (err instanceof LeaseLostError) {
          onLost(err);
          return;
        }
        // A failed renewal is retried at the next tick; the lease still has two thirds of its TTL.
        onError(err);
      }
    }
  }
}
