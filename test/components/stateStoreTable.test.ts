import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DynamoDbStateStore } from "../../automation/adapters/state/dynamoDbStateStore";
import { StateStoreTable } from "../../components/stateStoreTable";
import { rawConfig, stateWithWriter, validConfig, withPatch } from "./helpers/environmentFixture";
import { runMocked, runProgram } from "./mockRuntime";

const TABLE = "aws:dynamodb/table:Table";
const COMPONENT = "regionctl:index:StateStoreTable";
const replicas = ["us-east-1", "us-east-2", "us-west-2"];

describe("the state store table", () => {
  it("is a pay-per-request table keyed by id, with strong-consistency replicas in the other two regions", async () => {
    const { recorder } = await runMocked(
      () => new StateStoreTable("state", { tableName: "regionctl-state", regions: replicas }),
    );
    const [table] = recorder.ofType(TABLE);
    expect(table.inputs).toMatchObject({
      name: "regionctl-state",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      replicas: [
        {
          regionName: "us-east-2",
          consistencyMode: "STRONG",
          pointInTimeRecovery: true,
          deletionProtectionEnabled: true,
        },
        {
          regionName: "us-west-2",
          consistencyMode: "STRONG",
          pointInTimeRecovery: true,
          deletionProtectionEnabled: true,
        },
      ],
    });
    expect(table.inputs.globalTableWitness).toBeUndefined();
    expect(recorder.parentOf(table)?.type).toBe(COMPONENT);
  });

  it("takes a witness beside two replica regions", async () => {
    const { recorder } = await runMocked(
      () =>
        new StateStoreTable("state", {
          tableName: "regionctl-state",
          regions: ["eu-west-1", "eu-central-1"],
          witness: "eu-west-2",
        }),
    );
    const [table] = recorder.ofType(TABLE);
    expect(table.inputs.replicas).toEqual([
      {
        regionName: "eu-central-1",
        consistencyMode: "STRONG",
        pointInTimeRecovery: true,
        deletionProtectionEnabled: true,
      },
    ]);
    expect(table.inputs.globalTableWitness).toEqual({ regionName: "eu-west-2" });
  });

  it("refuses a placement strong consistency does not allow, before registering anything", async () => {
    const { recorder, result } = await runMocked(() => {
      try {
        return new StateStoreTable("state", { tableName: "t", regions: ["us-east-1", "us-east-2"] });
      } catch (e) {
        return e as Error;
      }
    });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/state: regions: needs exactly 3 replica regions/);
    expect(recorder.resources).toHaveLength(0);
  });
});

describe("the program with a DynamoDB state store", () => {
  const saved = { ...process.env };
  const dynamoDbStore = { kind: "dynamodb", table: "program-state", regions: replicas };

  beforeAll(() => {
    // The program's own state read goes to moto.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = inject("motoEndpoint");
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    process.env.AWS_REGION = "us-east-1";
  });
  afterAll(() => {
    process.env = saved;
  });

  it("renders no table while the state lives elsewhere", async () => {
    const { recorder, outputs } = await runProgram({ config: rawConfig() });
    expect(recorder.ofType(TABLE)).toHaveLength(0);
    expect(outputs.stateStoreTableArn).toBeUndefined();
  });

  it("provisions the table in the store's first region and, before it exists, renders the new environment", async () => {
    const { recorder, outputs } = await runProgram({
      config: withPatch((c) => (c.stateStore = dynamoDbStore)),
    });
    const [table] = recorder.ofType(TABLE);
    expect(recorder.regionOf(table)).toBe("us-east-1");
    expect(table.inputs.name).toBe("program-state");
    expect(table.inputs.replicas.map((r: { regionName: string }) => r.regionName)).toEqual([
      "us-east-2",
      "us-west-2",
    ]);
    expect(outputs.writer.value).toBe("us-east-1");
  });

  it("reads the operational state from the table, so an update keeps a failover", async () => {
    const endpoint = inject("motoEndpoint");
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    await new DynamoDBClient({ region: "us-east-1", endpoint, credentials }).send(
      new CreateTableCommand({
        TableName: "program-state",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const config = withPatch((c) => (c.stateStore = dynamoDbStore));
    const store = new DynamoDbStateStore({
      table: "program-state",
      environment: validConfig().environment,
      regions: replicas,
      homeRegion: "us-east-1",
      clientOptions: { endpoint, credentials },
    });
    await store.write(stateWithWriter(validConfig(), "us-west-2"), null);
    const { outputs } = await runProgram({ config });
    expect(outputs.writer.value).toBe("us-west-2");
  });
});
