import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DynamoDbVantageBoard } from "../../../automation/adapters/vantage/dynamoDbVantageBoard";
import { openVantageBoard } from "../../../automation/adapters/vantage/openVantageBoard";
import { S3VantageBoard } from "../../../automation/adapters/vantage/s3VantageBoard";
import { CONTRACT_VOTERS, vantageBoardContract } from "../../watch/vantageBoardContract";
import { deadEndpoint } from "../../support/deadEndpoint";

const endpoint = inject("motoEndpoint");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const bucket = "regionctl-board-test";
const table = "regionctl-board-test";
const regions = ["us-east-1", "us-west-2"];
let places = 0;

beforeAll(async () => {
  await new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials }).send(
    new CreateBucketCommand({ Bucket: bucket }),
  );
  for (const region of regions) {
    await new DynamoDBClient({ region, endpoint, credentials }).send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
});

vantageBoardContract(
  "S3VantageBoard on moto",
  () =>
    new S3VantageBoard({
      bucket,
      stateKey: `regionctl/env-${++places}.json`,
      voters: CONTRACT_VOTERS,
      region: "us-east-1",
      clientOptions: { endpoint, credentials },
    }),
);

vantageBoardContract(
  "DynamoDbVantageBoard on moto",
  () =>
    new DynamoDbVantageBoard({
      table,
      environment: `env-${++places}`,
      regions,
      voters: CONTRACT_VOTERS,
      homeRegion: "us-east-1",
      clientOptions: { endpoint, credentials },
    }),
);

describe("vantage boards in the cloud stores", () => {
  it("S3 keeps one object per replica under <state key>-vantage/", async () => {
    const board = openVantageBoard(
      { kind: "s3", bucket, key: "team/state.json", region: "us-east-1" },
      "prod",
      "prod",
      ["us-east-1"],
      { awsClientOptions: { endpoint, credentials } },
    );
    await board.publish("us-east-1", [{ voter: "us-east-1", region: "us-west-2", at: 5, down: false }]);
    const direct = new S3VantageBoard({
      bucket,
      stateKey: "team/state.json",
      voters: ["us-east-1"],
      region: "us-east-1",
      clientOptions: { endpoint, credentials },
    });
    expect(await direct.read()).toEqual([{ voter: "us-east-1", region: "us-west-2", at: 5, down: false }]);
  });

  it("DynamoDB answers from the next replica region when its own does not", async () => {
    const dead = await deadEndpoint();
    const clientFor = (region: string) =>
      new DynamoDBClient({
        region,
        endpoint: region === "us-east-1" ? dead : endpoint,
        credentials,
        maxAttempts: 1,
      });
    const board = new DynamoDbVantageBoard({
      table,
      environment: "failover",
      regions,
      voters: ["us-west-2"],
      homeRegion: "us-east-1",
      clientFor,
    });
    await board.publish("us-west-2", [{ voter: "us-west-2", region: "us-east-1", at: 7, down: true }]);
    expect(await board.read()).toEqual([{ voter: "us-west-2", region: "us-east-1", at: 7, down: true }]);
    const everyRegionDead = new DynamoDbVantageBoard({
      table,
      environment: "failover",
      regions,
      voters: ["us-west-2"],
      clientFor: (region) => new DynamoDBClient({ region, endpoint: dead, credentials, maxAttempts: 1 }),
    });
    await expect(everyRegionDead.read()).rejects.toThrow(/no replica of .* answered/);
  });
});
