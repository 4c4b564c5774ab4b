import { randomUUID } from "node:crypto";
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { DYNAMODB_ITEM, dynamoDbItemIds } from "../../../state/loadOperationalState";
import type { OperationalState } from "../../../components/operationalState";
import {
  LeaseHeldError,
  LeaseLostError,
  StateConflictError,
  type Lease,
  type StateStore,
  type StoredState,
} from "../../ports";
import { declareActions } from "../aws/awsActions";
import { awsClientConfig, type AwsClientOptions } from "../aws/clientConfig";
import {
  decodeLease,
  encodeLease,
  newLeaseDocument,
  renewedLeaseDocument,
  type LeaseDocument,
} from "./leaseDocument";
import { isReplicaFailure, ReplicasUnavailableError } from "./replicaFailover";
import { decodeState, encodeState } from "./stateDocument";

/** The calls below; `regionctl iam-policy` grants them on the table in every replica region. */
export const DYNAMODB_STATE_STORE_ACTIONS = declareActions("dynamodb-state-store", "dynamodb", [
  "GetItem",
  "PutItem",
  "DeleteItem",
  // A fenced write is one TransactWriteItems: a Put of the state and a ConditionCheck on the
  // leadership lease; IAM authorises each item's action, not the transaction.
  "ConditionCheckItem",
]);

/**
 * Attempts per call in one region before the store moves to the next replica. Low, because another
 * replica answers for the same data: a dead region should cost seconds, not the SDK's full backoff.
 */
export const DYNAMODB_ATTEMPTS_PER_REPLICA = 2;

export interface DynamoDbStateStoreOptions {
  readonly table: string;
  readonly environment: string;
  /** The table's replica regions, in the order the store falls back through them. */
  readonly regions: readonly string[];
  /** The controller's own region, tried first. Default: AWS_REGION when it is one of `regions`. */
  readonly homeRegion?: string;
  /** Per-region endpoint overrides (tests); otherwise `clientOptions.endpoint` or the SDK's. */
  readonly endpoints?: Readonly<Partial<Record<string, string>>>;
  /** Ready clients (tests); otherwise one per region from `clientOptions`. */
  readonly clientFor?: (region: string) => DynamoDBClient;
  readonly clientOptions?: AwsClientOptions;
  /** Lease clock, milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
  /** How long the store stays on another replica before it tries its home region again. Default 60 s. */
  readonly homeRetryMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface StoredItem {
  readonly text: string;
  readonly version: string;
}

/** The replicas in the order the controller uses them: its own region first, then the list's order. */
export function replicaOrder(regions: readonly string[], homeRegion: string | undefined): string[] {
  if (homeRegion === undefined || !regions.includes(homeRegion)) return [...regions];
  return [homeRegion, ...regions.filter((r) => r !== homeRegion)];
}

/** How to reach a table's replicas: the regions, which one is home, how to make each client. */
export interface ReplicaClientOptions {
  readonly regions: readonly string[];
  readonly homeRegion?: string;
  /** Endpoint per region (tests and local emulators). */
  readonly endpoints?: Readonly<Partial<Record<string, string>>>;
  readonly clientFor?: (region: string) => DynamoDBClient;
  readonly clientOptions?: AwsClientOptions;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The replica regions in the order they are tried, and one client for each, in that order. */
export function replicaClients(options: ReplicaClientOptions): {
  order: readonly string[];
  clients: readonly DynamoDBClient[];
} {
  const env = options.env ?? process.env;
  const order = replicaOrder(options.regions, options.homeRegion ?? env.AWS_REGION);
  const clients = order.map(
    (region) =>
      options.clientFor?.(region) ??
      new DynamoDBClient(
        awsClientConfig(
          region,
          {
            maxAttempts: DYNAMODB_ATTEMPTS_PER_REPLICA,
            ...options.clientOptions,
            ...(options.endpoints?.[region] === undefined ? {} : { endpoint: options.endpoints[region] }),
          },
          env,
        ),
      ),
  );
  return { order, clients };
}

/**
 * The store that survives a region: a DynamoDB global table with multi-Region strong consistency,
 * where a strongly consistent read in any replica sees the latest write and a conditional write in
 * any replica is checked against it. Each document is one item; every write puts a fresh random
 * `version` and is conditional on the version the writer read (or on the item's absence), so
 * DynamoDB arbitrates between writers exactly as S3's If-Match does for the S3 store.
 *
 * The store talks to the replica in its own region and, when a call fails in a way another replica
 * can answer (network, timeout, throttling, 5xx), repeats it in the next region and stays there,
 * trying its home region again after `homeRetryMs`.
 * Repeating a conditional write is safe: if the first attempt did land, the repeat fails its
 * condition and the re-read finds this writer's own version, which counts as success.
 */
export class DynamoDbStateStore implements StateStore {
  readonly location: string;
  private readonly table: string;
  private readonly ids: { state: string; lease: string; leader: string };
  private readonly order: readonly string[];
  private readonly clients: readonly DynamoDBClient[];
  private readonly now: () => number;
  private readonly homeRetryMs: number;
  private current = 0;
  /** When the store last moved off its home replica. */
  private leftHomeAt = 0;

  constructor(options: DynamoDbStateStoreOptions) {
    if (options.regions.length === 0) throw new Error("the DynamoDB state store needs at least one region");
    this.table = options.table;
    // The leadership lease is the lease of `<environment>-leader` (openLeadershipStore), in this table.
    this.ids = {
      ...dynamoDbItemIds(options.environment),
      leader: dynamoDbItemIds(`${options.environment}-leader`).lease,
    };
    this.location = `dynamodb://${this.table}/${this.ids.state}`;
    this.now = options.now ?? Date.now;
    this.homeRetryMs = options.homeRetryMs ?? 60_000;
    ({ order: this.order, clients: this.clients } = replicaClients(options));
  }

  /** The region the next call goes to first: the home region until it fails. */
  get activeRegion(): string {
    return this.order[this.current];
  }

  async read(): Promise<StoredState | null> {
    const item = await this.get(this.ids.state);
    if (item === null) return null;
    return { state: decodeState(item.text, this.location), etag: item.version };
  }

  async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    const version = await this.putConditional(this.ids.state, encodeState(state), expectedEtag);
    if (version === null) throw new StateConflictError(this.location);
    return version;
  }

  /**
   * The state write and the leadership check in one TransactWriteItems: DynamoDB applies the Put
   * only while the leadership lease item still carries `term`'s version, so the fence and the write
   * cannot be split by a takeover. Only the version is checked: a lapsed term that nobody took over
   * still carries it, and no other leader can have written in the meantime (the caller refuses a
   * term past its expiry before sending).
   */
  async writeFenced(state: OperationalState, expectedEtag: string | null, term: Lease): Promise<string> {
    const version = randomUUID();
    try {
      await this.call((client) =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: this.item(this.ids.state, encodeState(state), version),
                  ...versionCondition(expectedEtag),
                },
              },
              {
                ConditionCheck: {
                  TableName: this.table,
                  Key: { [DYNAMODB_ITEM.key]: { S: this.ids.leader } },
                  ...versionCondition(term.etag),
                },
              },
            ],
          }),
        ),
      );
      return version;
    } catch (err) {
      const reasons = cancellationCodes(err);
      if (reasons === null) throw err;
      // A repeat of a transaction whose answer was lost fails on our own version: we won.
      if ((await this.get(this.ids.state))?.version === version) return version;
      if (reasons[1] === "ConditionalCheckFailed") throw new LeaseLostError(term.holder);
      throw new StateConflictError(this.location);
    }
  }

  async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    // A lost race re-reads: the winner's live lease refuses us by name; a released one is retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.readLease();
      if (current !== null && current.expiresAt > this.now()) {
        throw new LeaseHeldError(current.holder, current.operation, current.expiresAt);
      }
      const doc = newLeaseDocument(holder, operation, this.now(), ttlMs);
      const version = await this.putConditional(this.ids.lease, encodeLease(doc), current?.etag ?? null);
      if (version !== null) return toLease(doc, version);
    }
    throw new StateConflictError(`dynamodb://${this.table}/${this.ids.lease}`);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    const current = await this.readLeaseDocument();
    if (current?.version !== lease.etag) throw new LeaseLostError(lease.holder);
    const doc = renewedLeaseDocument(current.doc, this.now(), ttlMs);
    const version = await this.putConditional(this.ids.lease, encodeLease(doc), lease.etag);
    if (version === null) throw new LeaseLostError(lease.holder);
    return toLease(doc, version);
  }

  async releaseLease(lease: Lease): Promise<void> {
    try {
      await this.call((client) =>
        client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { [DYNAMODB_ITEM.key]: { S: this.ids.lease } },
            ConditionExpression: "#version = :expected",
            ExpressionAttributeNames: { "#version": DYNAMODB_ITEM.version },
            ExpressionAttributeValues: { ":expected": { S: lease.etag } },
          }),
        ),
      );
    } catch (err) {
      // Gone, or someone else's now (ours expired and was taken over): theirs to release.
      if (!isConditionFailure(err)) throw err;
    }
  }

  async readLease(): Promise<Lease | null> {
    const current = await this.readLeaseDocument();
    return current === null ? null : toLease(current.doc, current.version);
  }

  private async readLeaseDocument(): Promise<{ doc: LeaseDocument; version: string } | null> {
    const item = await this.get(this.ids.lease);
    if (item === null) return null;
    return {
      doc: decodeLease(item.text, `dynamodb://${this.table}/${this.ids.lease}`),
      version: item.version,
    };
  }

  private async get(id: string): Promise<StoredItem | null> {
    const res = await this.call((client) =>
      client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { [DYNAMODB_ITEM.key]: { S: id } },
          // Strongly consistent: on a strong-consistency global table, the latest write in any region.
          ConsistentRead: true,
        }),
      ),
    );
    if (res.Item === undefined) return null;
    const text = res.Item[DYNAMODB_ITEM.document]?.S;
    const version = res.Item[DYNAMODB_ITEM.version]?.S;
    if (text === undefined || version === undefined || version === "") {
      throw new Error(
        `dynamodb://${this.table}/${id} lacks its string attributes ${DYNAMODB_ITEM.document} and ${DYNAMODB_ITEM.version}`,
      );
    }
    return { text, version };
  }

  /** The new version, or null when the condition failed (someone else wrote first). */
  private async putConditional(id: string, text: string, expected: string | null): Promise<string | null> {
    const version = randomUUID();
    try {
      await this.call((client) =>
        client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: this.item(id, text, version),
            ...versionCondition(expected),
          }),
        ),
      );
      return version;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // A repeat (the SDK's, or ours in the next replica) of a write whose answer was lost fails
      // the condition our own first attempt changed. Our version in place means we won.
      const stored = await this.get(id);
      return stored?.version === version ? version : null;
    }
  }

  private item(id: string, text: string, version: string): Record<string, AttributeValue> {
    return {
      [DYNAMODB_ITEM.key]: { S: id },
      [DYNAMODB_ITEM.document]: { S: text },
      [DYNAMODB_ITEM.version]: { S: version },
    };
  }

  /** One request, in the active replica, then in each next one while the failure is the replica's. */
  private async call<T>(request: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    if (this.current !== 0 && this.now() - this.leftHomeAt >= this.homeRetryMs) {
      // The home region may be back; a replica elsewhere costs a cross-region round trip per call.
      this.current = 0;
    }
    const failures: { region: string; error: unknown }[] = [];
    for (let tried = 0; tried < this.order.length; tried++) {
      const index = (this.current + tried) % this.order.length;
      try {
        const result = await request(this.clients[index]);
        this.settleOn(index);
        return result;
      } catch (err) {
        if (!isReplicaFailure(err)) {
          // It answered, if only to refuse: the next call goes there too.
          this.settleOn(index);
          throw err;
        }
        failures.push({ region: this.order[index], error: err });
      }
    }
    throw new ReplicasUnavailableError(this.location, failures);
  }

  private settleOn(index: number): void {
    if (index !== this.current && index !== 0) this.leftHomeAt = this.now();
    this.current = index;
  }
}

function toLease(doc: LeaseDocument, version: string): Lease {
  return { holder: doc.holder, operation: doc.operation, expiresAt: doc.expiresAt, etag: version };
}

/** The condition on an item's version: `expected`, or (null) no item yet. */
function versionCondition(expected: string | null): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  return expected === null
    ? {
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": DYNAMODB_ITEM.key },
      }
    : {
        ConditionExpression: "#version = :expected",
        ExpressionAttributeNames: { "#version": DYNAMODB_ITEM.version },
        ExpressionAttributeValues: { ":expected": { S: expected } },
      };
}

/** Each item's cancellation code of a cancelled transaction, or null when `err` is not one. */
function cancellationCodes(err: unknown): (string | undefined)[] | null {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] } | null;
  if (e?.name !== "TransactionCanceledException") return null;
  return (e.CancellationReasons ?? []).map((r) => r.Code);
}

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}
