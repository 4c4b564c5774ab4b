import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  openLeadershipStore,
  openStateStore,
  type StateStoreConfig,
} from "../../../automation/adapters/state/openStateStore";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("openLeadershipStore", () => {
  it("keeps the file store's leadership lease in <stack>.leader.lease.json, apart from the operation lease", async () => {
    const base = await mkdtemp(path.join(tmpdir(), "regionctl-leader-"));
    dirs.push(base);
    const config: StateStoreConfig = { kind: "file", directory: ".regionctl" };
    const leader = openLeadershipStore(config, "staging", "stg", { baseDirectory: base });
    const state = openStateStore(config, "staging", "stg", { baseDirectory: base });
    expect(leader.location).toBe(path.join(base, ".regionctl", "staging.leader.json"));
    const term = await leader.acquireLease("watch@us-east-1/a", "lead", 10_000);
    const op = await state.acquireLease("watch@us-east-1/a", "failover", 10_000);
    expect(term.etag).not.toBe(op.etag);
    expect((await leader.readLease())?.operation).toBe("lead");
    expect((await state.readLease())?.operation).toBe("failover");
    expect((await readdir(path.join(base, ".regionctl"))).sort()).toEqual([
      "staging.leader.lease.json",
      "staging.lease.json",
    ]);
  });

  it("keeps S3's beside the state object, at <key>-leader, on moto", async () => {
    const endpoint = inject("motoEndpoint");
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    await new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials }).send(
      new CreateBucketCommand({ Bucket: "leader-state" }),
    );
    const config: StateStoreConfig = { kind: "s3", bucket: "leader-state", region: "us-east-1" };
    const options = { awsClientOptions: { endpoint, credentials } };
    const leader = openLeadershipStore(config, "prod", "prod", options);
    expect(leader.location).toBe("s3://leader-state/regionctl/prod.json-leader");
    await leader.acquireLease("watch@us-east-1/a", "lead", 10_000);
    expect(await openStateStore(config, "prod", "prod", options).readLease()).toBeNull();
    expect((await leader.readLease())?.holder).toBe("watch@us-east-1/a");
  });

  it("keeps DynamoDB's in the items of <environment>-leader, on moto", async () => {
    const endpoint = inject("motoEndpoint");
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    await new DynamoDBClient({ region: "us-east-1", endpoint, credentials }).send(
      new CreateTableCommand({
        TableName: "leader-state",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const config: StateStoreConfig = { kind: "dynamodb", table: "leader-state", regions: ["us-east-1"] };
    const options = { awsClientOptions: { endpoint, credentials } };
    const leader = openLeadershipStore(config, "prod", "prod", options);
    expect(leader.location).toBe("dynamodb://leader-state/regionctl/prod-leader");
    await leader.acquireLease("watch@us-east-1/a", "lead", 10_000);
    expect(await openStateStore(config, "prod", "prod", options).readLease()).toBeNull();
    expect((await leader.readLease())?.holder).toBe("watch@us-east-1/a");
  });
});
