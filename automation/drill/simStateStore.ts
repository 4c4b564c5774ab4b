import { z } from "zod";
import { type OperationalState, operationalStateSchema, parseState } from "../../components/operationalState";
import {
  type Lease,
  LeaseHeldError,
  LeaseLostError,
  type StateStore,
  StateConflictError,
  type StoredState,
} from "../ports";
import type { Clock } from "../ports";

/**
 * The operational state store of the drill: in memory, with the file/S3 stores' semantics
 * (conditional writes, documents validated before they are stored, a lease that nobody, its holder
 * included, can take while it is live). Each revision is parsed once and frozen, so readers share it
 * without re-parsing and nothing the controller holds can change what is stored. A write validates
 * and copies only the fields that changed since the last one: most writes move a step's record
 * while the plan, the history and the regions stay as they were.
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
  private readonly fields = documentFields();

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

/**
 * A strict object schema's fields, each kept as its validated, frozen copy last written: a field
 * written again with the same JSON is reused without copying or parsing it. The result equals what
 * parsing the document's JSON whole gives (fields in the schema's order, absent ones left out).
 */
class FieldCache {
  private readonly value = new Map<string, unknown>();

  constructor(
    private readonly shape: z.ZodRawShape,
    /** Fields that are themselves strict objects (or null), cached field by field in turn. */
    private readonly nested: Readonly<Record<string, FieldCache>> = {},
  ) {}

  /** The validated, frozen copy of `raw`, or null when something does not validate. */
  copy(raw: unknown): Readonly<Record<string, unknown>> | null {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
    const doc = raw as Record<string, unknown>;
    for (const key of Object.keys(doc)) if (!(key in this.shape) && doc[key] !== undefined) return null;
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(this.shape)) {
      const v = doc[key];
      if (v === undefined) {
        if (!schema.safeParse(undefined).success) return null;
        continue;
      }
      const kept = this.value.get(key);
      if (kept !== undefined && sameJson(v, kept)) {
        out[key] = kept;
        continue;
      }
      const inner = this.nested[key];
      let copy: unknown;
      if (inner !== undefined && v !== null) {
        copy = inner.copy(v);
        if (copy === null) return null;
      } else {
        const parsed = schema.safeParse(JSON.parse(JSON.stringify(v)));
        if (!parsed.success) return null;
        copy = deepFreeze(parsed.data);
      }
      this.value.set(key, copy);
      out[key] = copy;
    }
    return Object.freeze(out);
  }
}

/**
 * Whether `a` serialises to the same JSON as `kept`, a value parsed from JSON. Anything JSON would
 * change (undefined in an array, a number that is not finite, a class instance) counts as different,
 * so the caller copies it the slow way.
 */
function sameJson(a: unknown, kept: unknown): boolean {
  if (a === kept) return true;
  if (typeof a !== "object" || typeof kept !== "object" || a === null || kept === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(kept) || a.length !== kept.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], kept[i])) return false;
    return true;
  }
  if (Array.isArray(kept)) return false;
  const proto: unknown = Object.getPrototypeOf(a);
  if (proto !== Object.prototype && proto !== null) return false;
  const x = a as Record<string, unknown>;
  const y = kept as Record<string, unknown>;
  const keys = Object.keys(y);
  let i = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    if (keys[i] !== key || !sameJson(x[key], y[key])) return false;
    i++;
  }
  return i === keys.length;
}

/** The document's fields, and the operation's in turn; null when the schema is not a plain strict object. */
function documentFields(): { copy(raw: unknown): Readonly<Record<string, unknown>> | null } {
  const schema: unknown = operationalStateSchema;
  if (!(schema instanceof z.ZodObject) || schema._def.unknownKeys !== "strict") return { copy: () => null };
  const shape = schema.shape as z.ZodRawShape;
  const operation = shape.operation;
  const inner = operation instanceof z.ZodNullable ? (operation.unwrap() as unknown) : null;
  const nested: Record<string, FieldCache> =
    inner instanceof z.ZodObject && inner._def.unknownKeys === "strict"
      ? { operation: new FieldCache(inner.shape as z.ZodRawShape) }
      : {};
  return new FieldCache(shape, nested);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
