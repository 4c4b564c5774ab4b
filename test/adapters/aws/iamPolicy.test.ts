import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Route53RecoveryClusterClient } from "@aws-sdk/client-route53-recovery-cluster";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../components/config";
import { initialState } from "../../../components/operationalState";
import { arcRoutingControls } from "../../../automation/adapters/aws/arcRoutingControls";
import { cloudWatchLag } from "../../../automation/adapters/aws/cloudwatchLag";
import { rdsGlobalDatabase } from "../../../automation/adapters/aws/rdsGlobalDatabase";
import { rdsMemberClusters } from "../../../automation/adapters/aws/rdsMemberClusters";
import { secretsManagerDatabaseSecret } from "../../../automation/adapters/aws/secretsManagerDatabaseSecret";
import { route53CheckerFractions } from "../../../automation/adapters/aws/route53HealthChecks";
import { listRecordSets } from "../../../automation/adapters/aws/route53Records";
import { CloudWatchMetrics } from "../../../automation/adapters/metrics/cloudWatchMetrics";
import { DynamoDbStateStore } from "../../../automation/adapters/state/dynamoDbStateStore";
import { S3StateStore } from "../../../automation/adapters/state/s3StateStore";
import { encodeState } from "../../../automation/adapters/state/stateDocument";
import {
  POLICY_DECLARATIONS,
  controllerActionTable,
  iamPolicy,
  policyActions,
} from "../../../automation/iamPolicy";
import { CONTROLLER_ACTIONS } from "../../../components/controllerActions";
import { controllerPolicy } from "../../../components/controllerPolicy";
import { partitionOf } from "../../../state/awsPartition";
import { main } from "../../../automation/cli";
import { bufferIo } from "../../../automation/cliIo";
import { sampleRawConfig } from "../../support/sampleConfig";

/**
 * The printed policy allows exactly the AWS actions the controller's adapters send. Every adapter
 * runs through every one of its operations against a mocked SDK that records each command; the
 * recorded command names must equal the policy's actions, no more and no less.
 */

const rds = mockClient(RDSClient);
const r53 = mockClient(Route53Client);
const cw = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBClient);
const arc = mockClient(Route53RecoveryClusterClient);
const sm = mockClient(SecretsManagerClient);
afterAll(() => {
  for (const m of [rds, r53, cw, s3, ddb, arc, sm]) m.restore();
});

const arn = (region: string): string => `arn:aws:rds:${region}:123456789012:cluster:test-${region}`;
const creds = { accessKeyId: "x", secretAccessKey: "y" };

function sentActions(): string[] {
  const service: [string, { calls(): { args: unknown[] }[] }][] = [
    ["rds", rds],
    ["route53", r53],
    ["cloudwatch", cw],
    ["s3", s3],
    ["dynamodb", ddb],
    ["route53-recovery-cluster", arc],
    ["secretsmanager", sm],
  ];
  // IAM has no TransactWriteItems action: DynamoDB authorises each of its items by its own action.
  const transactItem: Record<string, string> = {
    Put: "PutItem",
    ConditionCheck: "ConditionCheckItem",
    Update: "UpdateItem",
    Delete: "DeleteItem",
  };
  const names = service.flatMap(([prefix, mock]) =>
    mock.calls().flatMap((c) => {
      const command = c.args[0] as { input?: { TransactItems?: Record<string, unknown>[] } };
      const name = command.constructor.name.replace(/Command$/, "");
      if (name !== "TransactWriteItems") return [`${prefix}:${name}`];
      return (command.input?.TransactItems ?? []).flatMap((item) =>
        Object.keys(item).map((k) => `${prefix}:${transactItem[k] ?? k}`),
      );
    }),
  );
  return [...new Set(names)].sort();
}

async function driveEveryAdapter(): Promise<void> {
  rds.onAnyCommand().resolves({});
  rds.on(DescribeGlobalClustersCommand).resolves({
    GlobalClusters: [
      {
        GlobalClusterIdentifier: "test-global",
        GlobalClusterMembers: [
          { DBClusterArn: arn("us-east-1"), IsWriter: true },
          { DBClusterArn: arn("us-west-2"), IsWriter: false, SynchronizationStatus: "connected" },
        ],
      },
    ],
  });
  // The old writer's cluster, back and available: fencing it removes it and stops it.
  rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: "test-us-east-1" }).resolves({
    DBClusters: [
      { DBClusterIdentifier: "test-us-east-1", DBClusterArn: arn("us-east-1"), Status: "available" },
    ],
  });
  r53.onAnyCommand().resolves({ HealthCheckObservations: [], ResourceRecordSets: [], IsTruncated: false });
  cw.onAnyCommand().resolves({ MetricDataResults: [] });
  const stateText = encodeState(initialState(parseConfig(sampleRawConfig())));
  s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
    if (input.Key?.endsWith(".lease") === true) {
      throw Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } });
    }
    return { ETag: '"e1"', Body: { transformToString: async () => stateText } };
  });
  s3.on(PutObjectCommand).resolves({ ETag: '"e2"' });
  s3.on(DeleteObjectCommand).resolves({});

  const rdsClient = (region: string) => new RDSClient({ region, credentials: creds });
  const cwClient = (region: string) => new CloudWatchClient({ region, credentials: creds });
  const db = rdsGlobalDatabase({
    globalClusterId: "test-global",
    clusterIdentifier: (r) => `test-${r}`,
    rds: rdsClient,
    lag: cloudWatchLag({ cloudwatch: cwClient }),
  });
  await db.describe("us-west-2");
  await db.failover("us-west-2", "us-west-2");
  await db.switchover("us-west-2", "us-west-2");
  await db.removeFromGlobal("us-west-2", "us-west-2");
  await db.fenceCluster("us-east-1", "us-east-1");

  rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [{ Status: "available", DBClusterParameterGroup: "test-us-west-2-rpo-1" }],
  });
  const members = rdsMemberClusters({ clusterIdentifier: (r) => `test-${r}`, rds: rdsClient });
  await members.describe("us-west-2");
  await members.setMasterPassword("us-west-2", "a-new-password-1234567890");
  await members.setRpoGuard("us-west-2", 86_400);
  sm.onAnyCommand().resolves({});
  sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u","password":"p"}' });
  await secretsManagerDatabaseSecret({
    secretId: "regionctl/test/database",
    region: "us-east-1",
    client: new SecretsManagerClient({ region: "us-east-1", credentials: creds }),
  }).putPassword("a-new-password-1234567890");

  const route53 = new Route53Client({ region: "us-east-1", credentials: creds });
  await route53CheckerFractions(route53)([{ region: "us-east-1", url: "x", healthCheckId: "hc" }]);
  await listRecordSets(route53, "Z0123456789ABCDEFGHIJ", "app.test.example.com");

  await new CloudWatchMetrics({ environment: "test", clientFor: cwClient }).errorRate({
    region: "us-east-1",
    startMs: 0,
    endMs: 60_000,
    periodSeconds: 60,
  });

  const store = new S3StateStore({
    bucket: "b",
    environment: "test",
    client: new S3Client({ region: "us-east-1", credentials: creds }),
  });
  const read = await store.read();
  await store.write(read?.state ?? initialState(parseConfig(sampleRawConfig())), read?.etag ?? null);
  const lease = await store.acquireLease("me", "op", 60_000);
  await store.releaseLease(lease);

  ddb.onAnyCommand().resolves({});
  ddb.on(GetItemCommand).resolves({});
  const table = new DynamoDbStateStore({
    table: "t",
    environment: "test",
    regions: ["us-east-1", "us-east-2", "us-west-2"],
    clientFor: (region) => new DynamoDBClient({ region, credentials: creds }),
  });
  const stored = await table.read();
  await table.write(stored?.state ?? initialState(parseConfig(sampleRawConfig())), stored?.etag ?? null);
  await table.releaseLease(await table.acquireLease("me", "op", 60_000));
  await table.writeFenced(initialState(parseConfig(sampleRawConfig())), null, {
    holder: "me",
    operation: "lead",
    expiresAt: 60_000,
    etag: "v1",
  });

  arc.onAnyCommand().resolves({ RoutingControlState: "On" });
  const traffic = arcRoutingControls({
    endpoints: [{ region: "us-west-2", endpoint: "https://host.us-west-2.example.com/v1" }],
    routingControlArns: { "us-east-1": "arn:rc-east", "us-west-2": "arn:rc-west" },
    clientOptions: { credentials: creds },
  });
  await traffic.describe();
  await traffic.setRegions(["us-west-2"], ["us-east-1"]);
}

describe("iam-policy", () => {
  it("allows exactly the actions the adapters send", async () => {
    await driveEveryAdapter();
    const sent = sentActions();
    expect(sent).toContain("rds:FailoverGlobalCluster");
    expect(sent).toContain("route53:GetHealthCheckStatus");
    expect(sent).toEqual(
      expect.arrayContaining([
        "rds:ModifyDBCluster",
        "rds:ModifyDBClusterParameterGroup",
        "secretsmanager:PutSecretValue",
      ]),
    );
    // s3:ListBucket is no call: it turns S3's answer for a missing object from 403 into 404. Nor
    // are the KMS actions: Secrets Manager uses the secret's key on the caller's behalf.
    expect(policyActions(iamPolicy())).toEqual(
      [...sent, "s3:ListBucket", "kms:Decrypt", "kms:GenerateDataKey"].sort(),
    );
  });

  it("scopes resources to the environment when given its config", () => {
    const raw = sampleRawConfig({ regions: 2 });
    const config = parseConfig({
      ...raw,
      database: { ...(raw.database as object), rpoSeconds: 20 },
      stateStore: { kind: "s3", bucket: "team-state" },
    });
    const policy = iamPolicy(config);
    // Without controlPlane.watchers every region may run a replica and publish its votes.
    const VOTERS = ["us-east-1", "us-west-2"];
    const db = policy.Statement.find((s) => s.Sid === "AuroraGlobalDatabase");
    expect(db?.Resource).toEqual([
      "arn:aws:rds::*:global-cluster:test-global",
      "arn:aws:rds:us-east-1:*:cluster:test-us-east-1",
      "arn:aws:rds:us-west-2:*:cluster:test-us-west-2",
    ]);
    expect(policy.Statement.find((s) => s.Sid === "AuroraMemberClusters")).toEqual({
      Sid: "AuroraMemberClusters",
      Effect: "Allow",
      Action: ["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
      Resource: [
        "arn:aws:rds:us-east-1:*:cluster:test-us-east-1",
        "arn:aws:rds:us-west-2:*:cluster:test-us-west-2",
      ],
    });
    expect(policy.Statement.find((s) => s.Sid === "AuroraRpoGuard")).toEqual({
      Sid: "AuroraRpoGuard",
      Effect: "Allow",
      Action: ["rds:DescribeDBClusterParameters", "rds:ModifyDBClusterParameterGroup"],
      Resource: [
        "arn:aws:rds:us-east-1:*:cluster-pg:test-us-east-1-rpo-*",
        "arn:aws:rds:us-west-2:*:cluster-pg:test-us-west-2-rpo-*",
      ],
    });
    expect(policy.Statement.find((s) => s.Sid === "DatabaseSecret")).toEqual({
      Sid: "DatabaseSecret",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
      Resource: "arn:aws:secretsmanager:us-east-1:*:secret:regionctl/test/database-??????",
    });
    expect(policy.Statement.find((s) => s.Sid === "DatabaseSecretKey")).toEqual({
      Sid: "DatabaseSecretKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "arn:aws:kms:us-east-1:*:key/*",
      Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"] } },
    });
    expect(policy.Statement.find((s) => s.Sid === "Route53ReadRecords")?.Resource).toBe(
      "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
    );
    expect(policy.Statement.find((s) => s.Sid === "OperationalStateS3")?.Resource).toEqual([
      "arn:aws:s3:::team-state/regionctl/test.json",
      "arn:aws:s3:::team-state/regionctl/test.json.lease",
      "arn:aws:s3:::team-state/regionctl/test.json-leader.lease",
      ...VOTERS.map((r) => `arn:aws:s3:::team-state/regionctl/test.json-vantage/${r}.json`),
    ]);
    expect(policy.Statement.find((s) => s.Sid === "OperationalStateS3List")).toEqual({
      Sid: "OperationalStateS3List",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: "arn:aws:s3:::team-state",
      Condition: {
        StringEquals: {
          "s3:prefix": [
            "regionctl/test.json",
            "regionctl/test.json.lease",
            "regionctl/test.json-leader.lease",
            ...VOTERS.map((r) => `regionctl/test.json-vantage/${r}.json`),
          ],
        },
      },
    });
    const table = iamPolicy(
      parseConfig({
        ...sampleRawConfig({ regions: 2 }),
        stateStore: {
          kind: "dynamodb",
          table: "team-state",
          regions: ["us-east-1", "us-east-2", "us-west-2"],
        },
      }),
    );
    expect(table.Statement.find((s) => s.Sid === "OperationalStateDynamoDb")).toEqual({
      Sid: "OperationalStateDynamoDb",
      Effect: "Allow",
      Action: ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: [
        "arn:aws:dynamodb:us-east-1:*:table/team-state",
        "arn:aws:dynamodb:us-east-2:*:table/team-state",
        "arn:aws:dynamodb:us-west-2:*:table/team-state",
      ],
    });
    expect(policyActions(table).some((a) => a.startsWith("s3:"))).toBe(false);
    const arcConfig = sampleRawConfig({ regions: 2 });
    arcConfig.dns = { ...(arcConfig.dns as object), control: "arc" };
    expect(iamPolicy(parseConfig(arcConfig)).Statement.find((s) => s.Sid === "ArcRoutingControls")).toEqual({
      Sid: "ArcRoutingControls",
      Effect: "Allow",
      Action: [
        "route53-recovery-cluster:GetRoutingControlState",
        "route53-recovery-cluster:UpdateRoutingControlStates",
      ],
      Resource: "arn:aws:route53-recovery-control::*:controlpanel/*/routingcontrol/*",
    });
    // A file state store needs no S3 or DynamoDB access at all.
    const local = iamPolicy(parseConfig(sampleRawConfig({ regions: 2 })));
    expect(policyActions(local).some((a) => a.startsWith("s3:") || a.startsWith("dynamodb:"))).toBe(false);
    expect(policyActions(local).some((a) => a.startsWith("route53-recovery-cluster:"))).toBe(false);
    // Without a managed RPO there is no guard to relax.
    expect(local.Statement.some((s) => s.Sid === "AuroraRpoGuard")).toBe(false);
  });

  it("writes ARNs in the partition of the environment's regions", () => {
    expect(partitionOf(["us-east-1", "eu-west-1"])).toBe("aws");
    expect(partitionOf(["cn-north-1", "cn-northwest-1"])).toBe("aws-cn");
    expect(partitionOf(["us-gov-west-1", "us-gov-east-1"])).toBe("aws-us-gov");
  });

  it("`regionctl iam-policy` prints the policy as JSON and exits 0", async () => {
    const io = bufferIo();
    const code = await main(["node", "regionctl", "iam-policy"], io);
    expect(code).toBe(0);
    const printed = JSON.parse(io.stdout.join("\n")) as ReturnType<typeof iamPolicy>;
    expect(printed.Version).toBe("2012-10-17");
    expect(policyActions(printed)).toEqual(policyActions(iamPolicy()));
  });

  it("is the policy the program gives the watchers: its copy of the actions is the adapters' declarations", () => {
    expect(CONTROLLER_ACTIONS).toEqual(controllerActionTable(POLICY_DECLARATIONS));
    const config = parseConfig({
      ...sampleRawConfig({ regions: 2 }),
      stateStore: { kind: "dynamodb", table: "team-state", regions: ["us-east-1", "us-east-2", "us-west-2"] },
    });
    expect(controllerPolicy(config, CONTROLLER_ACTIONS)).toEqual(iamPolicy(config));
    expect(controllerPolicy(undefined, CONTROLLER_ACTIONS)).toEqual(iamPolicy());
  });

  it("refuses a declaration the policy builder does not place, rather than dropping it", () => {
    expect(() =>
      controllerActionTable([
        ...POLICY_DECLARATIONS,
        { adapter: "new-adapter", service: "s3", actions: ["GetObject"] },
      ]),
    ).toThrow(/new-adapter/);
  });
});
