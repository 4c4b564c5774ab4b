import { type OperationalState, parseState } from "../../components/operationalState";
import {
  type Lease,
  LeaseHeldError,
  LeaseLostError,
  type StateStore,
  StateConflictError,
  type StoredState,
} from "../ports";
import type { Clock } from "../ports";
import { deepFreeze } from "../state/deepFreeze";
import { stateFields } from "../state/fieldCache";

/**
 * The operational state store of the drill: in memory, with the file/S3 stores' semantics
 * (conditional writes, documents validated before they are stored, a lease that nobody, its holder
 * included, can take while it is live). Each revision is parsed once and frozen, so readers share it
 * without re-parsing and nothing the controller holds can change what is stored. A write validates
 * and copies only the fields that changed since the last one: most writes move a step's record
 * while the plan, the history and the regions stay as they were. A field given as the same frozen
 * value as last time (the executor's documents are frozen throughout) is not even compared.
 */
export class SimStateStore implements StateStore {
  /** The stored document, parsed once per write; only the drill's own readers see it. */
  private doc: OperationalState | null = null;
  private revision = 0;
  private lease: Lease | null = null;
  private leaseSeq = 0;
  /**
   * Why the store does not answer now (its region, or a majority of its replicas, is out), or
   * null while it does: every port call then fails as a real store's would.
   */
  unavailable: () => string | null = () => null;
  private readonly fields = stateFields("json");

  constructor(
    private readonly clock: Clock,
    /** Sees every write, in order: the invariant checker and the timeline hang off it. */
    private readonly onWrite: (before: OperationalState | null, after: OperationalState) => void = () => {},
    readonly location = "drill://state",
  ) {}

  private reach(): void {
    const why = this.unavailable();
    if (why !== null) throw new Error(`state store ${this.location} did not answer: ${why}`);
  }

  async read(): Promise<StoredState | null> {
    this.reach();
    if (this.doc === null) return null;
    // One parsed, frozen document per revision: readers share it and cannot change what is stored.
    return { state: this.doc, etag: `"${this.revision}"` };
  }

  /** The stored document without a port call, for the simulation and the checks; not to be changed. */
  peek(): Readonly<OperationalState> | null {
    return this.doc;
  }

  async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    this.reach();
    const current = this.doc === null ? null : `"${this.revision}"`;
    if (current !== expectedEtag) throw new StateConflictError(this.location);
    const before = this.doc;
    // The store's own copy, validated as it would be read back; a document the fields refuse is
    // parsed whole, for the same error a file or S3 store gives.
    this.doc =
      (this.fields.copy(state) as OperationalState | null) ??
      deepFreeze(parseState(JSON.parse(JSON.stringify(state)), "the state being written"));
    this.revision++;
    this.onWrite(before, this.doc);
    return `"${this.revision}"`;
  }

  /** Seeds the store before the controller starts, without running the write hook. */
  seed(state: OperationalState): void {
    this.doc = deepFreeze(JSON.parse(JSON.stringify(state)) as OperationalState);
    this.revision++;
  }

  async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    this.reach();
    const now = this.clock.now();
    // As in the file, S3 and DynamoDB stores: a live lease is refused to everyone, its own holder
    // included, so two operations of one process cannot both believe they hold it.
    if (this.lease !== null && this.lease.expiresAt > now) {
      throw new LeaseHeldError(this.lease.holder, this.lease.operation, this.lease.expiresAt);
    }
    this.lease = { holder, operation, expiresAt: now + ttlMs, etag: `"lease-${++this.leaseSeq}"` };
    return this.lease;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    this.reach();
    if (this.lease === null || this.lease.etag !== lease.etag) throw new LeaseLostError(lease.holder);
    this.lease = { ...lease, expiresAt: this.clock.now() + ttlMs, etag: `"lease-${++this.leaseSeq}"` };
    return this.lease;
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.reach();
    if (this.lease !== null && this.lease.etag === lease.etag) this.lease = null;
  }

  async readLease(): Promise<Lease | null> {
    this.reach();
    return this.lease;
  }
}
