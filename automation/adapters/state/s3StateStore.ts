import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { OperationalState } from "../../../components/operationalState";
import { defaultStateKey, getObjectIfExists, s3StatusOf } from "../../../state/s3Object";
import {
  LeaseHeldError,
  LeaseLostError,
  StateConflictError,
  type Lease,
  type StateStore,
  type StoredState,
} from "../../ports";
import { awsClientConfig, type AwsClientOptions } from "../aws/clientConfig";
import {
  leaseHolderDead,
  decodeLease,
  encodeLease,
  newLeaseDocument,
  renewedLeaseDocument,
  type LeaseDocument,
} from "./leaseDocument";
import { decodeState, encodeState } from "./stateDocument";

export interface S3StateStoreOptions {
  readonly bucket: string;
  readonly environment: string;
  /** Default `regionctl/<environment>.json`. The lease lives at `<key>.lease`. */
  readonly key?: string;
  /** The bucket's region. Default: the SDK's (AWS_REGION, profile). */
  readonly region?: string;
  /** A ready client (tests); otherwise one is built from `region` and `clientOptions`. */
  readonly client?: S3Client;
  readonly clientOptions?: AwsClientOptions;
  /** Lease clock, milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
}

export { defaultStateKey };

/**
 * The team store: every write is a conditional PutObject (If-None-Match: * to create, If-Match:
 * <etag> to update), so S3 itself arbitrates between writers and exactly one of two racing writes
 * lands. The lease is a second object under the same rules.
 */
export class S3StateStore implements StateStore {
  readonly location: string;
  private readonly bucket: string;
  private readonly key: string;
  private readonly leaseKey: string;
  private readonly client: S3Client;
  private readonly now: () => number;

  constructor(options: S3StateStoreOptions) {
    this.bucket = options.bucket;
    this.key = options.key ?? defaultStateKey(options.environment);
    this.leaseKey = `${this.key}.lease`;
    this.location = `s3://${this.bucket}/${this.key}`;
    this.now = options.now ?? Date.now;
    if (options.client !== undefined) {
      this.client = options.client;
    } else {
      const config = awsClientConfig(options.region, options.clientOptions);
      // S3-compatible test servers serve buckets as paths, not as host names.
      this.client = new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined });
    }
  }

  async read(): Promise<StoredState | null> {
    const object = await this.get(this.key);
    if (object === null) return null;
    return { state: decodeState(object.text, this.location), etag: object.etag };
  }

  async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    const etag = await this.putConditional(this.key, encodeState(state), expectedEtag);
    if (etag === null) throw new StateConflictError(this.location);
    return etag;
  }

  async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    // A lost race re-reads: the winner's live lease refuses us by name; a released one is retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.readLease();
      if (current !== null && current.expiresAt > this.now() && !leaseHolderDead(current.holder)) {
        throw new LeaseHeldError(current.holder, current.operation, current.expiresAt);
      }
      const doc = newLeaseDocument(holder, operation, this.now(), ttlMs);
      const etag = await this.putConditional(this.leaseKey, encodeLease(doc), current?.etag ?? null);
      if (etag !== null) return toLease(doc, etag);
    }
    throw new StateConflictError(`s3://${this.bucket}/${this.leaseKey}`);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    const current = await this.readLeaseDocument();
    if (current?.etag !== lease.etag) throw new LeaseLostError(lease.holder);
    const doc = renewedLeaseDocument(current.doc, this.now(), ttlMs);
    const etag = await this.putConditional(this.leaseKey, encodeLease(doc), lease.etag);
    if (etag === null) throw new LeaseLostError(lease.holder);
    return toLease(doc, etag);
  }

  async releaseLease(lease: Lease): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: this.leaseKey, IfMatch: lease.etag }),
      );
    } catch (err) {
      // Gone, or someone else's now (ours expired and was taken over): theirs to release.
      if (!isPreconditionFailure(err, true)) throw err;
    }
  }

  async readLease(): Promise<Lease | null> {
    const current = await this.readLeaseDocument();
    return current === null ? null : toLease(current.doc, current.etag);
  }

  private async readLeaseDocument(): Promise<{ doc: LeaseDocument; etag: string } | null> {
    const object = await this.get(this.leaseKey);
    if (object === null) return null;
    return { doc: decodeLease(object.text, `s3://${this.bucket}/${this.leaseKey}`), etag: object.etag };
  }

  private async get(key: string): Promise<{ text: string; etag: string } | null> {
    const object = await getObjectIfExists(this.client, this.bucket, key);
    return object === null ? null : { text: object.text, etag: requireEtag(object.etag, key) };
  }

  /** The new ETag, or null when the precondition failed (someone else wrote first). */
  private async putConditional(
    key: string,
    text: string,
    expectedEtag: string | null,
  ): Promise<string | null> {
    try {
      const res = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: "application/json",
          ...(expectedEtag === null ? { IfNoneMatch: "*" } : { IfMatch: expectedEtag }),
        }),
      );
      return requireEtag(res.ETag, key);
    } catch (err) {
      if (!isPreconditionFailure(err, expectedEtag !== null)) throw err;
      // The SDK retries a request whose response was lost; the retry then fails the precondition
      // that our own first attempt changed. Our exact bytes in place mean we won.
      const stored = await this.get(key);
      return stored !== null && stored.text === text ? stored.etag : null;
    }
  }
}

function toLease(doc: LeaseDocument, etag: string): Lease {
  return { holder: doc.holder, operation: doc.operation, expiresAt: doc.expiresAt, etag };
}

function requireEtag(etag: string | undefined, key: string): string {
  if (etag === undefined || etag === "") throw new Error(`S3 returned no ETag for ${key}`);
  return etag;
}

const statusOf = s3StatusOf;

/**
 * 412: the ETag no longer matches (or the object exists, for If-None-Match). 409
 * ConditionalRequestConflict: another conditional write to the key was in flight. 404 under
 * If-Match: the object was deleted since we read it.
 */
function isPreconditionFailure(err: unknown, hadIfMatch: boolean): boolean {
  const status = statusOf(err);
  return status === 412 || status === 409 || (hadIfMatch && status === 404);
}
