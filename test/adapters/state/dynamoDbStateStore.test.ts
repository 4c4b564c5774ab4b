import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { DynamoDbStateStore, replicaOrder } from "../../../automation/adapters/state/dynamoDbStateStore";
import { openStateStore } from "../../../automation/adapters/state/openStateStore";
import {
  isReplicaFailure,
  ReplicasUnavailableError,
} from "../../../automation/adapters/state/replicaFailover";
import { encodeState } from "../../../automation/adapters/state/stateDocument";
import { LeaseLostError, StateConflictError } from "../../../automation/ports";
import { FencedStateStore } from "../../../automation/watch/fencedStateStore";
import { loadOperationalState } from "../../../state/loadOperationalState";
import { sampleState } from "./sampleState";
import { stateStoreContract } from "./stateStoreContract";
import { deadEndpoint } from "../../support/deadEndpoint";

/**
 * moto's DynamoDB evaluates ConditionExpression on PutItem and DeleteItem, so the whole contract,
 * races included, runs against it. moto keeps one table per region and does not replicate between
 * them, so each test puts every replica it uses on the one region moto holds the table in, or a
 * dead endpoint, to model a replica that is down. A write whose answer is lost and then repeated in
 * another replica is produced with aws-sdk-client-mock.
 */

const endpoint = inject("motoEndpoint");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const table = "regionctl-state-test";
const replicas = ["us-east-1", "us-east-2", "us-west-2"];
let places = 0;

function motoClient(region: string): DynamoDBClient {
  return new DynamoDBClient({ region, endpoint, credentials });
}

async function createTable(region: string): Promise<void> {
  await motoClient(region).send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

beforeAll(async () => {
  await createTable("us-east-1");
  await createTable("us-east-2");
});

stateStoreContract("DynamoDbStateStore on moto", {
  newPlace: async () => `env-${++places}`,
  // Built the way openStateStore builds it: from client options, not ready clients.
  open: (environment, now) =>
    new DynamoDbStateStore({
      table,
      environment,
      regions: replicas,
      homeRegion: "us-east-1",
      clientOptions: { endpoint, credentials },
      now,
    }),
  putRawDocument: async (environment, text) => {
    await motoClient("us-east-1").send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: `regionctl/${environment}` }, document: { S: text }, version: { S: "raw" } },
      }),
    );
  },
});

describe("DynamoDbStateStore replicas", () => {
  it("tries its own region first, then the others in the listed order", () => {
    expect(replicaOrder(replicas, "us-west-2")).toEqual(["us-west-2", "us-east-1", "us-east-2"]);
    expect(replicaOrder(replicas, "eu-west-1")).toEqual(replicas);
    expect(replicaOrder(replicas, undefined)).toEqual(replicas);
  });

  it("takes its home region from AWS_REGION", () => {
    const store = new DynamoDbStateStore({
      table,
      environment: "home",
      regions: replicas,
      env: { AWS_REGION: "us-east-2" },
      clientOptions: { endpoint, credentials },
    });
    expect(store.activeRegion).toBe("us-east-2");
  });

  it("moves to the next replica when its own region's endpoint is dead, and stays there", async () => {
    const dead = await deadEndpoint();
    const environment = `failover-${++places}`;
    const open = () =>
      new DynamoDbStateStore({
        table,
        environment,
        regions: ["us-west-2", "us-east-2", "us-east-1"],
        homeRegion: "us-west-2",
        endpoints: { "us-west-2": dead },
        clientOptions: { endpoint, credentials, maxAttempts: 1 },
      });
    const a = open();
    const b = open();
    expect(a.activeRegion).toBe("us-west-2");
    const first = await a.write(sampleState("one"), null);
    expect(a.activeRegion).toBe("us-east-2");
    // The conditional semantics hold in the replica it moved to.
    await expect(b.write(sampleState("stale"), null)).rejects.toBeInstanceOf(StateConflictError);
    const second = await b.write(sampleState("two"), first);
    await expect(a.write(sampleState("three"), first)).rejects.toBeInstanceOf(StateConflictError);
    expect(await a.read()).toEqual({ state: sampleState("two"), etag: second });
    const lease = await a.acquireLease("watcher-us-east-2", "failover", 60_000);
    expect((await b.readLease())?.etag).toBe(lease.etag);
    // The item really is in us-east-2's table.
    const item = await motoClient("us-east-2").send(
      new GetItemCommand({ TableName: table, Key: { id: { S: `regionctl/${environment}` } } }),
    );
    expect(item.Item?.version?.S).toBe(second);
  });

  it("reports every replica when none answers, and does not fail over on a refusal on the merits", async () => {
    const dead = await deadEndpoint();
    const store = new DynamoDbStateStore({
      table,
      environment: `down-${++places}`,
      regions: ["us-east-1", "us-east-2"],
      endpoints: { "us-east-1": dead, "us-east-2": dead },
      clientOptions: { credentials, maxAttempts: 1 },
    });
    const read = store.read();
    await expect(read).rejects.toBeInstanceOf(ReplicasUnavailableError);
    await expect(read).rejects.toThrow(/us-east-1: .*; us-east-2: /);

    // us-west-2 has no table in moto: the same answer everywhere, so it is not retried elsewhere.
    const missing = new DynamoDbStateStore({
      table,
      environment: "missing",
      regions: ["us-west-2", "us-east-1"],
      homeRegion: "us-west-2",
      clientOptions: { endpoint, credentials },
    });
    await expect(missing.read()).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(missing.activeRegion).toBe("us-west-2");
  });

  it("classifies network, throttling and 5xx failures as the replica's, and condition failures as not", () => {
    expect(isReplicaFailure(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isReplicaFailure(Object.assign(new Error("slow"), { name: "TimeoutError" }))).toBe(true);
    expect(isReplicaFailure({ name: "X", $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isReplicaFailure({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } })).toBe(true);
    expect(
      isReplicaFailure(
        new ConditionalCheckFailedException({ message: "no", $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(false);
    expect(isReplicaFailure({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
    expect(isReplicaFailure(null)).toBe(false);
  });

  it("lets the program read the document from the first replica that answers", async () => {
    const dead = await deadEndpoint();
    const environment = `program-${++places}`;
    const store = new DynamoDbStateStore({
      table,
      environment,
      regions: replicas,
      homeRegion: "us-east-1",
      clientOptions: { endpoint, credentials },
    });
    const state = { ...sampleState("program"), environment };
    await store.write(state, null);
    const loaded = await loadOperationalState(
      { kind: "dynamodb", table, regions: ["us-east-2", "us-east-1", "us-west-2"] },
      { stack: "dev", environment },
      {
        homeRegion: "us-east-2",
        dynamoDbClient: (r) =>
          new DynamoDBClient({
            region: r,
            endpoint: r === "us-east-2" ? dead : endpoint,
            credentials,
            maxAttempts: 1,
          }),
      },
    );
    expect(loaded).toEqual(state);
  });

  it("is what openStateStore opens for a dynamodb stateStore", async () => {
    const store = openStateStore({ kind: "dynamodb", table, regions: replicas }, "prod-stack", "prod", {
      awsClientOptions: { endpoint, credentials },
    });
    expect(store).toBeInstanceOf(DynamoDbStateStore);
    expect(store.location).toBe(`dynamodb://${table}/regionctl/prod`);
  });
});

describe("DynamoDbStateStore requests (aws-sdk-client-mock)", () => {
  // Mocks single client instances, so the moto tests above keep real ones.
  const east1 = new DynamoDBClient({ region: "us-east-1", credentials });
  const east2 = new DynamoDBClient({ region: "us-east-2", credentials });
  const m1 = mockClient(east1);
  const m2 = mockClient(east2);
  const store = (): DynamoDbStateStore =>
    new DynamoDbStateStore({
      table: "t",
      environment: "prod",
      regions: ["us-east-1", "us-east-2"],
      homeRegion: "us-east-1",
      clientFor: (r) => (r === "us-east-1" ? east1 : east2),
    });

  beforeEach(() => {
    m1.reset();
    m2.reset();
  });
  afterAll(() => {
    m1.restore();
    m2.restore();
  });

  const timeout = (): Error => Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
  const conditionFailed = (): ConditionalCheckFailedException =>
    new ConditionalCheckFailedException({ message: "failed", $metadata: { httpStatusCode: 400 } });

  it("reads strongly consistent and writes conditional on the version it read", async () => {
    m1.on(PutItemCommand).resolves({});
    const created = await store().write(sampleState(), null);
    await store().write(sampleState(), "v-old");
    const [create, update] = m1.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(create.ConditionExpression).toBe("attribute_not_exists(#key)");
    expect(create.ExpressionAttributeNames).toEqual({ "#key": "id" });
    expect(create.Item).toEqual({
      id: { S: "regionctl/prod" },
      document: { S: encodeState(sampleState()) },
      version: { S: created },
    });
    expect(update.ConditionExpression).toBe("#version = :expected");
    expect(update.ExpressionAttributeValues).toEqual({ ":expected": { S: "v-old" } });
    m1.on(GetItemCommand).resolves({});
    await store().read();
    expect(m1.commandCalls(GetItemCommand)[0].args[0].input.ConsistentRead).toBe(true);
  });

  it("counts a write as won when its answer was lost and the repeat in the next replica finds its own version", async () => {
    let written: string | undefined;
    m1.on(PutItemCommand).callsFake((input: { Item: { version: { S: string } } }) => {
      written = input.Item.version.S; // it landed, then the answer was lost
      throw timeout();
    });
    m2.on(PutItemCommand).rejects(conditionFailed());
    m2.on(GetItemCommand).callsFake(() => ({
      Item: {
        id: { S: "regionctl/prod" },
        document: { S: encodeState(sampleState()) },
        version: { S: written },
      },
    }));
    const s = store();
    const etag = await s.write(sampleState(), "v-old");
    expect(etag).toBe(written);
    expect(s.activeRegion).toBe("us-east-2");
  });

  it("reports a conflict when the repeat in the next replica finds someone else's version", async () => {
    m1.on(PutItemCommand).rejects(timeout());
    m2.on(PutItemCommand).rejects(conditionFailed());
    m2.on(GetItemCommand).resolves({
      Item: {
        id: { S: "regionctl/prod" },
        document: { S: encodeState(sampleState()) },
        version: { S: "theirs" },
      },
    });
    await expect(store().write(sampleState(), "v-old")).rejects.toBeInstanceOf(StateConflictError);
  });

  it("goes back to its home replica once homeRetryMs has passed, not before", async () => {
    let t = 0;
    const s = new DynamoDbStateStore({
      table: "t",
      environment: "prod",
      regions: ["us-east-1", "us-east-2"],
      homeRegion: "us-east-1",
      clientFor: (r) => (r === "us-east-1" ? east1 : east2),
      homeRetryMs: 30_000,
      now: () => t,
    });
    m1.on(GetItemCommand).rejectsOnce(timeout()).resolves({});
    m2.on(GetItemCommand).resolves({});
    await s.read();
    expect(s.activeRegion).toBe("us-east-2");
    t += 29_999;
    await s.read();
    expect(s.activeRegion).toBe("us-east-2");
    expect(m1.commandCalls(GetItemCommand)).toHaveLength(1);
    t += 1;
    await s.read();
    expect(s.activeRegion).toBe("us-east-1");
    expect(m1.commandCalls(GetItemCommand)).toHaveLength(2);
    expect(m2.commandCalls(GetItemCommand)).toHaveLength(2);
  });

  it("releases with a delete conditional on its version and leaves a lease that is no longer its own", async () => {
    m1.on(DeleteItemCommand).rejects(conditionFailed());
    await store().releaseLease({ holder: "me", operation: "deploy", expiresAt: 0, etag: "mine" });
    expect(m1.commandCalls(DeleteItemCommand)[0].args[0].input).toEqual({
      TableName: "t",
      Key: { id: { S: "regionctl/prod.lease" } },
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":expected": { S: "mine" } },
    });
  });
});

describe("DynamoDbStateStore fenced writes on moto: the state write and the leadership check in one transaction", () => {
  function stores(now: () => number) {
    const environment = `fenced-${++places}`;
    const open = (env: string) =>
      new DynamoDbStateStore({
        table,
        environment: env,
        regions: replicas,
        homeRegion: "us-east-1",
        clientOptions: { endpoint, credentials },
        now,
      });
    // Where openLeadershipStore keeps the leadership lease: the items of `<environment>-leader`.
    return { state: open(environment), leaders: open(`${environment}-leader`) };
  }

  it("writes while the term is the stored leadership lease", async () => {
    const { state, leaders } = stores(() => 1_000);
    const term = await leaders.acquireLease("watch@us-east-1", "lead", 10_000);
    const etag = await state.writeFenced(sampleState("one"), null, term);
    expect(await state.read()).toEqual({ state: sampleState("one"), etag });
    const next = await state.writeFenced(sampleState("two"), etag, term);
    expect((await state.read())?.etag).toBe(next);
  });

  it("refuses a leader whose lease was taken over, and leaves the state as it was", async () => {
    let clock = 1_000;
    const { state, leaders } = stores(() => clock);
    const old = await leaders.acquireLease("watch@us-east-1", "lead", 10_000);
    const etag = await state.writeFenced(sampleState("one"), null, old);
    clock += 10_001;
    await leaders.acquireLease("watch@us-west-2", "lead", 10_000);
    await expect(state.writeFenced(sampleState("late"), etag, old)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await state.read())?.state).toEqual(sampleState("one"));
  });

  it("refuses a term the leader still believes live once the lease item changed (released and retaken)", async () => {
    const { state, leaders } = stores(() => 1_000);
    const old = await leaders.acquireLease("watch@us-east-1", "lead", 10_000);
    await leaders.releaseLease(old);
    await leaders.acquireLease("watch@us-west-2", "lead", 10_000);
    await expect(state.writeFenced(sampleState("stale"), null, old)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await state.read()).toBeNull();
  });

  it("refuses when no leadership lease exists at all", async () => {
    const { state } = stores(() => 1_000);
    const ghost = { holder: "watch@us-east-1", operation: "lead", expiresAt: 20_000, etag: "never-stored" };
    await expect(state.writeFenced(sampleState("x"), null, ghost)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("reports a stale document version as a conflict, not a lost lease", async () => {
    const { state, leaders } = stores(() => 1_000);
    const term = await leaders.acquireLease("watch@us-east-1", "lead", 10_000);
    await state.writeFenced(sampleState("one"), null, term);
    await expect(state.writeFenced(sampleState("two"), null, term)).rejects.toBeInstanceOf(
      StateConflictError,
    );
  });

  it("is what the fenced store uses: no separate lease read before the write", async () => {
    const { state, leaders } = stores(() => 1_000);
    const term = await leaders.acquireLease("watch@us-east-1", "lead", 10_000);
    let leaseReads = 0;
    const fenced = new FencedStateStore(
      state,
      {
        leases: {
          readLease: async () => {
            leaseReads++;
            return leaders.readLease();
          },
        },
        term: () => term,
      },
      "watch@us-east-1",
      { now: () => 1_000, sleep: async () => {} },
    );
    const etag = await fenced.write(sampleState("one"), null);
    expect(leaseReads).toBe(0);
    expect((await state.read())?.etag).toBe(etag);
    await leaders.releaseLease(term);
    await leaders.acquireLease("watch@us-west-2", "lead", 10_000);
    await expect(fenced.write(sampleState("two"), etag)).rejects.toBeInstanceOf(LeaseLostError);
  });
});
