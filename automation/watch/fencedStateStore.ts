import type { OperationalState } from "../../components/operationalState";
import { type Clock, type Lease, LeaseLostError, type StateStore, type StoredState } from "../ports";

/** Where a replica's leadership lease lives, and the term this replica holds (null: it does not lead). */
export interface LeadershipFence {
  /** The store holding the leadership lease (its lease methods only). */
  readonly leases: Pick<StateStore, "readLease">;
  /** The leadership lease this replica took or last renewed, or null. */
  term(): Lease | null;
  /** Hears every change a leader made, with the term it made it under (the drill's invariant). */
  onAction?(term: Lease): void;
}

/**
 * A replica's view of the state store: every change (a state write, taking or renewing the
 * operation lease) goes through only while this replica's leadership lease is still the live
 * one, so a leader that lost the lease, or believes it leads past its term, stops acting at
 * once. Reads pass through: a standby keeps up with the state it may take over.
 *
 * A store that offers `writeFenced` (DynamoDB: a TransactWriteItems with a ConditionCheck on the
 * leadership lease) gets state writes checked in the same request, so no takeover can fall
 * between the check and the write. Elsewhere (the file and S3 stores, and the lease changes on
 * every store) the check and the change are two calls: the term is renewed every third of its
 * life and a new leader only takes a lapsed one, so a change sent right after a passing check
 * lands inside the term unless the call itself outlasts the term's remaining life, two thirds of
 * it at worst (a stalled process, or a request stuck in the network that long). Such a late write
 * still never lands over a change it has not seen: every state write is conditional on the etag
 * its writer read.
 */
export class FencedStateStore implements StateStore {
  constructor(
    private readonly inner: StateStore,
    private readonly fence: LeadershipFence,
    private readonly holder: string,
    private readonly clock: Clock,
  ) {}

  get location(): string {
    return this.inner.location;
  }

  private async leading(): Promise<Lease> {
    const term = this.fence.term();
    const live = await this.fence.leases.readLease();
    if (term === null || live === null || live.etag !== term.etag || live.expiresAt <= this.clock.now()) {
      throw new LeaseLostError(this.holder);
    }
    return term;
  }

  read(): Promise<StoredState | null> {
    return this.inner.read();
  }

  async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    if (this.inner.writeFenced !== undefined) {
      // One request carries the check: no takeover can fall between the check and the write.
      const term = this.fence.term();
      if (term === null || term.expiresAt <= this.clock.now()) throw new LeaseLostError(this.holder);
      const etag = await this.inner.writeFenced(state, expectedEtag, term);
      this.fence.onAction?.(term);
      return etag;
    }
    const term = await this.leading();
    const etag = await this.inner.write(state, expectedEtag);
    this.fence.onAction?.(term);
    return etag;
  }

  async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    const term = await this.leading();
    const lease = await this.inner.acquireLease(holder, operation, ttlMs);
    this.fence.onAction?.(term);
    return lease;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    await this.leading();
    return this.inner.renewLease(lease, ttlMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.inner.releaseLease(lease);
  }

  readLease(): Promise<Lease | null> {
    return this.inner.readLease();
  }
}
