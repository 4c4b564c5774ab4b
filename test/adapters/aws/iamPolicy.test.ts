import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../components/config";
import { initialState } from "../../../components/operationalState";
import { cloudWatchLag } from "../../../automation/adapters/aws/cloudwatchLag";
import { rdsGlobalDatabase } from "../../../automation/adapters/aws/rdsGlobalDatabase";
import { route53CheckerFractions } from "../../../automation/adapters/aws/route53HealthChecks";
import { listRecordSets } from "../../../automation/adapters/aws/route53Records";
import { CloudWatchMetrics } from "../../../automation/adapters/metrics/cloudWatchMetrics";
import { S3StateStore } from "../../../automation/adapters/state/s3StateStore";
import { encodeState } from "../../../automation/adapters/state/stateDocument";
import { iamPolicy, partitionOf, policyActions } from "../../../automation/iamPolicy";
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
afterAll(() => {
  for (const m of [rds, r53, cw, s3]) m.restore();
});

const arn = (region: string): string => `arn:aws:rds:${region}:123456789012:cluster:test-${region}`;
const creds = { accessKeyId: "x", secretAccessKey: "y" };

function sentActions(): string[] {
  const service: [string, { calls(): { args: unknown[] }[] }][] = [
    ["rds", rds],
    ["route53", r53],
    ["cloudwatch", cw],
    ["s3", s3],
  ];
  const names = service.flatMap(([prefix, mock]) =>
    mock.calls().map((c) => `${prefix}:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`),
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
}

describe("iam-policy", () => {
  it("allows exactly the actions the adapters send", async () => {
    await driveEveryAdapter();
    const sent = sentActions();
    expect(sent).toContain("rds:FailoverGlobalCluster");
    expect(sent).toContain("route53:GetHealthCheckStatus");
    // s3:ListBucket is no call: it turns S3's answer for a missing object from 403 into 404.
    expect(policyActions(iamPolicy())).toEqual([...sent, "s3:ListBucket"].sort());
  });

  it("scopes resources to the environment when given its config", () => {
    const config = parseConfig({
      ...sampleRawConfig({ regions: 2 }),
      stateStore: { kind: "s3", bucket: "team-state" },
    });
    const policy = iamPolicy(config);
    const db = policy.Statement.find((s) => s.Sid === "AuroraGlobalDatabase");
    expect(db?.Resource).toEqual([
      "arn:aws:rds::*:global-cluster:test-global",
      "arn:aws:rds:us-east-1:*:cluster:test-us-east-1",
      "arn:aws:rds:us-west-2:*:cluster:test-us-west-2",
    ]);
    expect(policy.Statement.find((s) => s.Sid === "Route53ReadRecords")?.Resource).toBe(
      "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
    );
    expect(policy.Statement.find((s) => s.Sid === "OperationalStateS3")?.Resource).toEqual([
      "arn:aws:s3:::team-state/regionctl/test.json",
      "arn:aws:s3:::team-state/regionctl/test.json.lease",
    ]);
    expect(policy.Statement.find((s) => s.Sid === "OperationalStateS3List")).toEqual({
      Sid: "OperationalStateS3List",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: "arn:aws:s3:::team-state",
      Condition: { StringEquals: { "s3:prefix": ["regionctl/test.json", "regionctl/test.json.lease"] } },
    });
    // A file state store needs no S3 access at all.
    const local = iamPolicy(parseConfig(sampleRawConfig({ regions: 2 })));
    expect(policyActions(local).some((a) => a.startsWith("s3:"))).toBe(false);
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
});
