import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type { OperationalState } from "../../../components/operationalState";
import {
  LeaseHeldError,
  LeaseLostError,
  StateConflictError,
  type Lease,
  type StateStore,
  type StoredState,
} from "../../ports";
import { readTextIfExists, unlinkDurable, writeFileAtomic } from "./atomicFile";
import { withFileLock, type FileLockOptions } from "./fileLock";
import {
  decodeLease,
  encodeLease,
  leaseHolderDead,
  newLeaseDocument,
  renewedLeaseDocument,
  type LeaseDocument,
} from "./leaseDocument";
import { contentEtag, decodeState, encodeState } from "./stateDocument";

export const DEFAULT_STATE_DIRECTORY = ".regionctl";

export interface FileStateStoreOptions {
  readonly stack: string;
  /** Default `.regionctl`, relative to the working directory. */
  readonly directory?: string;
  /** Lease clock, milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
  readonly lock?: FileLockOptions;
}

/**
 * The default store: `<dir>/<stack>.json`, its lease `<stack>.lease.json` and, for a few
 * milliseconds per write, `<stack>.lock`. Every compare-and-write runs under the lock file, so the
 * etag check holds between processes, not just within one.
 */
export class FileStateStore implements StateStore {
  readonly location: string;
  private readonly directory: string;
  private readonly leaseFile: string;
  private readonly lockFile: string;
  private readonly now: () => number;

  constructor(private readonly options: FileStateStoreOptions) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.stack)) {
      throw new Error(
        `stack name ${JSON.stringify(options.stack)} cannot name a state file: use letters, digits, '.', '_' and '-'`,
      );
    }
    this.directory = path.resolve(options.directory ?? DEFAULT_STATE_DIRECTORY);
    this.location = path.join(this.directory, `${options.stack}.json`);
    this.leaseFile = path.join(this.directory, `${options.stack}.lease.json`);
    this.lockFile = path.join(this.directory, `${options.stack}.lock`);
    this.now = options.now ?? Date.now;
  }

  async read(): Promise<StoredState | null> {
    const text = await readTextIfExists(this.location);
    if (text === null) return null;
    return { state: decodeState(text, this.location), etag: contentEtag(text) };
  }

  async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    const text = encodeState(state);
    return this.locked(async () => {
      const current = await readTextIfExists(this.location);
      const currentEtag = current === null ? null : contentEtag(current);
      if (currentEtag !== expectedEtag) throw new StateConflictError(this.location);
      await writeFileAtomic(this.location, text);
      return contentEtag(text);
    });
  }

  async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    return this.locked(async () => {
      const current = await this.readLeaseUnlocked();
      if (current !== null && current.expiresAt > this.now() && !leaseHolderDead(current.holder)) {
        throw new LeaseHeldError(current.holder, current.operation, current.expiresAt);
      }
      return this.putLease(newLeaseDocument(holder, operation, this.now(), ttlMs));
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    return this.locked(async () => {
      const current = await this.readLeaseUnlocked();
      if (current?.etag !== lease.etag) throw new LeaseLostError(lease.holder);
      return this.putLease(renewedLeaseDocument(current.doc, this.now(), ttlMs));
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.locked(async () => {
      const current = await this.readLeaseUnlocked();
      // Someone else's lease (ours expired and was taken over) is theirs to release.
      if (current?.etag === lease.etag) await unlinkDurable(this.leaseFile);
    });
  }

  async readLease(): Promise<Lease | null> {
    const current = await this.readLeaseUnlocked();
    return current === null ? null : toLease(current.doc, current.etag);
  }

  private async readLeaseUnlocked(): Promise<(Lease & { doc: LeaseDocument }) | null> {
    const text = await readTextIfExists(this.leaseFile);
    if (text === null) return null;
    const doc = decodeLease(text, this.leaseFile);
    return { ...toLease(doc, contentEtag(text)), doc };
  }

  private async putLease(doc: LeaseDocument): Promise<Lease> {
    const text = encodeLease(doc);
    await writeFileAtomic(this.leaseFile, text);
    return toLease(doc, contentEtag(text));
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.directory, { recursive: true });
    return withFileLock(this.lockFile, fn, this.options.lock);
  }
}

function toLease(doc: LeaseDocument, etag: string): Lease {
  return { holder: doc.holder, operation: doc.operation, expiresAt: doc.expiresAt, etag };
}
