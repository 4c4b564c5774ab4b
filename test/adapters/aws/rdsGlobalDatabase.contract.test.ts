import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateDBClusterCommand, CreateGlobalClusterCommand } from "@aws-sdk/client-rds";
import { beforeAll, describe, expect, it } from "vitest";
import {
  REPLICATION_LAG_METRIC,
  RPO_LAG_METRIC,
  cloudWatchLag,
  latestLagSeconds,
} from "../../../automation/adapters/aws/cloudwatchLag";
import {
  GlobalClusterNotFoundError,
  arnRegion,
  rdsGlobalDatabase,
} from "../../../automation/adapters/aws/rdsGlobalDatabase";
import type { GlobalDatabase } from "../../../automation/ports";
import { motoClients, unique } from "./motoClients";

/**
 * Contract tests of the RDS global database adapter against moto: a global cluster with a cluster
 * in two regions (us-west-2 the writer, us-east-1 joined as a secondary), lag from CloudWatch.
 * moto has no FailoverGlobalCluster or SwitchoverGlobalCluster: see rdsWriterMoves.test.ts.
 */

const clients = motoClients();
const env = unique("env");
const globalId = `${env}-global`;
const clusterId = (region: string): string => `${env}-${region}`;

async function createCluster(region: string): Promise<void> {
  await clients.rds(region).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: clusterId(region),
      Engine: "aurora-postgresql",
      EngineVersion: "16.4",
      GlobalClusterIdentifier: globalId,
      MasterUsername: "app",
      MasterUserPassword: "not-a-secret-1",
    }),
  );
}

async function putLag(
  region: string,
  metric: string,
  ms: number,
  ageSeconds = 30,
  extraDimensions: { Name: string; Value: string }[] = [],
): Promise<void> {
  await clients.cloudwatch(region).send(
    new PutMetricDataCommand({
      Namespace: "AWS/RDS",
      MetricData: [
        {
          MetricName: metric,
          Dimensions: [{ Name: "DBClusterIdentifier", Value: clusterId(region) }, ...extraDimensions],
          Timestamp: new Date(Date.now() - ageSeconds * 1000),
          Value: ms,
          Unit: "Milliseconds",
        },
      ],
    }),
  );
}

let db: GlobalDatabase;

beforeAll(async () => {
  await clients.rds("us-east-1").send(
    new CreateGlobalClusterCommand({
      GlobalClusterIdentifier: globalId,
      Engine: "aurora-postgresql",
      EngineVersion: "16.4",
    }),
  );
  await createCluster("us-west-2");
  await createCluster("us-east-1");
  await putLag("us-east-1", RPO_LAG_METRIC, 1500);
  db = rdsGlobalDatabase({
    globalClusterId: globalId,
    clusterIdentifier: clusterId,
    rds: clients.rds,
    lag: cloudWatchLag({ cloudwatch: clients.cloudwatch }),
  });
});

describe("RDS global database (moto)", () => {
  it("describes members, writer and lag through DescribeGlobalClusters, DescribeDBClusters and CloudWatch", async () => {
    const view = await db.describe("us-west-2");
    expect(view.id).toBe(globalId);
    expect(view.writer).toBe("us-west-2");
    expect(view.status).toBe("available");
    const by = Object.fromEntries(view.members.map((m) => [m.region, m]));
    expect(Object.keys(by).sort()).toEqual(["us-east-1", "us-west-2"]);
    expect(by["us-west-2"]).toMatchObject({ isWriter: true, lagSeconds: 0 });
    expect(by["us-east-1"]).toMatchObject({ isWriter: false, lagSeconds: 1.5 });
    expect(arnRegion(by["us-east-1"].clusterArn)).toBe("us-east-1");
    expect(by["us-east-1"].clusterArn).toMatch(new RegExp(`:cluster:${clusterId("us-east-1")}$`));
  });

  it("names an unknown global cluster", async () => {
    const other = rdsGlobalDatabase({
      globalClusterId: "nope-global",
      clusterIdentifier: clusterId,
      rds: clients.rds,
    });
    await expect(other.describe("us-east-1")).rejects.toBeInstanceOf(GlobalClusterNotFoundError);
  });

  it("RemoveFromGlobalCluster detaches a secondary, called in its own region; seen from there it is the writer", async () => {
    await db.removeFromGlobal("us-east-1", "us-east-1");
    const fromWriter = await db.describe("us-west-2");
    expect(fromWriter.members.map((m) => m.region)).toEqual(["us-west-2"]);
    expect(fromWriter.writer).toBe("us-west-2");
    const fromDetached = await db.describe("us-east-1");
    expect(fromDetached.members.map((m) => m.region)).toEqual(["us-west-2"]);
    expect(fromDetached.writer).toBe("us-east-1");
    expect(fromDetached.detachedWriter).toBe("us-east-1");
    expect(fromWriter.detachedWriter).toBeUndefined();
    await expect(db.removeFromGlobal("us-east-1", "us-east-1")).rejects.toThrow(
      /us-east-1 has no cluster in global cluster/,
    );
  });
});

describe("CloudWatch lag (moto)", () => {
  it("reads the newest AuroraGlobalDBRPOLag datapoint, in seconds", async () => {
    const region = "eu-west-1";
    await putLag(region, RPO_LAG_METRIC, 9000, 200);
    await putLag(region, RPO_LAG_METRIC, 2500, 20);
    expect(await latestLagSeconds(clients.cloudwatch(region), clusterId(region), Date.now(), 300_000)).toBe(
      2.5,
    );
  });

  it("finds the lag when Aurora publishes it with SourceRegion besides DBClusterIdentifier", async () => {
    const region = "ap-northeast-1";
    await putLag(region, REPLICATION_LAG_METRIC, 1200, 30, [{ Name: "SourceRegion", Value: "us-east-1" }]);
    expect(await latestLagSeconds(clients.cloudwatch(region), clusterId(region), Date.now(), 300_000)).toBe(
      1.2,
    );
  });

  it("falls back to AuroraGlobalDBReplicationLag, and is null without datapoints", async () => {
    const region = "eu-central-1";
    await putLag(region, REPLICATION_LAG_METRIC, 700);
    expect(await latestLagSeconds(clients.cloudwatch(region), clusterId(region), Date.now(), 300_000)).toBe(
      0.7,
    );
    const lags = await cloudWatchLag({ cloudwatch: clients.cloudwatch })([
      { region, clusterIdentifier: clusterId(region) },
      { region: "ap-south-1", clusterIdentifier: clusterId("ap-south-1") },
    ]);
    expect(Object.fromEntries(lags)).toEqual({ [region]: 0.7, "ap-south-1": null });
  });
});
