import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  StopDBClusterCommand,
  SwitchoverGlobalClusterCommand,
  type FailoverStatus,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../components/config";
import { initialState } from "../../../components/operationalState";
import { rdsGlobalDatabase } from "../../../automation/adapters/aws/rdsGlobalDatabase";
import { runPlan } from "../../../automation/executor";
import { memoryPorts } from "../../support/memoryPorts";
import { sampleRawConfig } from "../../support/sampleConfig";

/**
 * FailoverGlobalCluster and SwitchoverGlobalCluster, which moto lacks, against a mocked SDK: the
 * exact request, and the region of the client that sends it (the blast-radius rule).
 */

const GLOBAL = "test-global";
const arn = (region: string): string => `arn:aws:rds:${region}:123456789012:cluster:test-${region}`;

function globalCluster(over: Partial<GlobalCluster> = {}): GlobalCluster {
  return {
    GlobalClusterIdentifier: GLOBAL,
    Status: "available",
    GlobalClusterMembers: [
      { DBClusterArn: arn("us-east-1"), IsWriter: true, Readers: [arn("us-west-2"), arn("eu-west-1")] },
      { DBClusterArn: arn("us-west-2"), IsWriter: false, SynchronizationStatus: "connected" },
      { DBClusterArn: arn("eu-west-1"), IsWriter: false, SynchronizationStatus: "pending-resync" },
    ],
    ...over,
  };
}

interface Sent {
  readonly command: string;
  readonly region: string;
  readonly input: unknown;
}

const rds = mockClient(RDSClient);
let sent: Sent[] = [];

function record(command: string, output: unknown = {}) {
  return async (input: unknown, getClient: () => RDSClient): Promise<unknown> => {
    sent.push({ command, region: await getClient().config.region(), input });
    return output;
  };
}

const clients = new Map<string, RDSClient>();
const db = rdsGlobalDatabase({
  globalClusterId: GLOBAL,
  clusterIdentifier: (region) => `test-${region}`,
  rds: (region) => {
    let c = clients.get(region);
    if (c === undefined) {
      c = new RDSClient({ region, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
      clients.set(region, c);
    }
    return c;
  },
});

beforeEach(() => {
  sent = [];
  rds.reset();
  rds
    .on(DescribeGlobalClustersCommand)
    .callsFake(record("DescribeGlobalClusters", { GlobalClusters: [globalCluster()] }));
  rds
    .on(DescribeDBClustersCommand)
    .callsFake(async (input: { DBClusterIdentifier?: string }, getClient: () => RDSClient) => {
      const region = await getClient().config.region();
      sent.push({ command: "DescribeDBClusters", region, input });
      return {
        DBClusters: [
          { DBClusterIdentifier: input.DBClusterIdentifier, DBClusterArn: arn(region), Status: "available" },
        ],
      };
    });
  rds.on(FailoverGlobalClusterCommand).callsFake(record("FailoverGlobalCluster"));
  rds.on(SwitchoverGlobalClusterCommand).callsFake(record("SwitchoverGlobalCluster"));
  rds.on(RemoveFromGlobalClusterCommand).callsFake(record("RemoveFromGlobalCluster"));
  rds.on(StopDBClusterCommand).callsFake(record("StopDBCluster"));
});

afterEach(() => rds.reset());

describe("RDS writer moves (mocked SDK)", () => {
  it("FailoverGlobalCluster: AllowDataLoss, the target's cluster ARN, sent from the target region", async () => {
    await db.failover("us-west-2", "us-west-2");
    const failover = sent.filter((s) => s.command === "FailoverGlobalCluster");
    expect(failover).toEqual([
      {
        command: "FailoverGlobalCluster",
        region: "us-west-2",
        input: {
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: arn("us-west-2"),
          AllowDataLoss: true,
        },
      },
    ]);
    expect(sent.every((s) => s.region === "us-west-2")).toBe(true);
  });

  it("SwitchoverGlobalCluster: exactly the global cluster and the target, from the target region", async () => {
    await db.switchover("us-west-2", "us-west-2");
    expect(sent.filter((s) => s.command === "SwitchoverGlobalCluster")).toEqual([
      {
        command: "SwitchoverGlobalCluster",
        region: "us-west-2",
        input: { GlobalClusterIdentifier: GLOBAL, TargetDbClusterIdentifier: arn("us-west-2") },
      },
    ]);
  });

  it("RemoveFromGlobalCluster: the region's own cluster ARN", async () => {
    await db.removeFromGlobal("eu-west-1", "eu-west-1");
    expect(sent.filter((s) => s.command === "RemoveFromGlobalCluster")).toEqual([
      {
        command: "RemoveFromGlobalCluster",
        region: "eu-west-1",
        input: { GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: arn("eu-west-1") },
      },
    ]);
  });

  it("fenceCluster: a member is removed from the global cluster, then stopped, all in its own region", async () => {
    await db.fenceCluster("us-east-1", "us-east-1");
    expect(
      sent.filter((s) => s.command === "RemoveFromGlobalCluster" || s.command === "StopDBCluster"),
    ).toEqual([
      {
        command: "RemoveFromGlobalCluster",
        region: "us-east-1",
        input: { GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: arn("us-east-1") },
      },
      { command: "StopDBCluster", region: "us-east-1", input: { DBClusterIdentifier: "test-us-east-1" } },
    ]);
    expect(sent.every((s) => s.region === "us-east-1")).toBe(true);
  });

  it("fenceCluster: a standalone cluster is only stopped; a stopped one is left alone", async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: "test-ap-south-1", DBClusterArn: arn("ap-south-1"), Status: "available" },
      ],
    });
    await db.fenceCluster("ap-south-1", "ap-south-1");
    expect(sent.map((s) => s.command)).toEqual(["DescribeGlobalClusters", "StopDBCluster"]);
    sent = [];
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: "test-ap-south-1", DBClusterArn: arn("ap-south-1"), Status: "stopped" },
      ],
    });
    await db.fenceCluster("ap-south-1", "ap-south-1");
    expect(sent).toEqual([]);
  });

  it("describe through a detached cluster reports its identifier and its own endpoint", async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: "test-ap-south-1",
          DBClusterArn: arn("ap-south-1"),
          Status: "available",
          Endpoint: "test-ap-south-1.cluster-abc.ap-south-1.rds.amazonaws.com",
        },
      ],
    });
    const view = await db.describe("ap-south-1");
    expect(view).toMatchObject({
      writer: "ap-south-1",
      detachedWriter: "ap-south-1",
      detachedCluster: {
        identifier: "test-ap-south-1",
        endpoint: "test-ap-south-1.cluster-abc.ap-south-1.rds.amazonaws.com",
      },
    });
  });

  it("refuses to move the writer to a region without a member", async () => {
    await expect(db.failover("ap-south-1", "ap-south-1")).rejects.toThrow(/ap-south-1 has no cluster/);
    expect(sent.some((s) => s.command === "FailoverGlobalCluster")).toBe(false);
  });

  it("reports member synchronisation, and no writer while Aurora is failing over", async () => {
    const view = await db.describe("us-west-2");
    expect(view.members.map((m) => [m.region, m.status])).toEqual([
      ["us-east-1", "connected"],
      ["us-west-2", "connected"],
      ["eu-west-1", "pending-resync"],
    ]);
    rds.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [
        globalCluster({ FailoverState: { Status: "failing-over", ToDbClusterArn: arn("us-west-2") } }),
      ],
    });
    const moving = await db.describe("us-west-2");
    expect(moving.writer).toBeNull();
    expect(moving.status).toBe("failing-over");
    // Every documented status, and one no list names, reads as a move: no confirmed writer.
    for (const status of ["pending", "failing-over", "cancelling", "switching-over", "demoting"]) {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster({
            FailoverState: { Status: status as FailoverStatus, ToDbClusterArn: arn("us-west-2") },
          }),
        ],
      });
      const during = await db.describe("us-west-2");
      expect([status, during.writer, during.status]).toEqual([status, null, status]);
    }
  });

  it("through the executor: a refused managed failover falls back to detaching the target, in the target's region", async () => {
    const config = parseConfig(sampleRawConfig({ regions: 3 }));
    const mem = memoryPorts(config, { state: initialState(config) });
    rds.on(FailoverGlobalClusterCommand).callsFake(async (input: unknown, getClient: () => RDSClient) => {
      sent.push({ command: "FailoverGlobalCluster", region: await getClient().config.region(), input });
      throw Object.assign(new Error("The global cluster is not in a state to fail over"), {
        name: "InvalidGlobalClusterStateFault",
      });
    });
    const result = await runPlan(
      {
        id: "failover-db-only",
        kind: "failover",
        summary: "database only",
        steps: [
          {
            id: "db",
            kind: "dbFailover",
            description: "promote us-west-2",
            to: "us-west-2",
            detachFallback: true,
          },
        ],
        compensation: [],
        regions: ["us-west-2"],
      },
      { config, ports: { ...mem.ports, database: db }, holder: "test" },
    );
    expect(result.outcome).toBe("succeeded");
    expect(
      sent.filter((s) => s.command !== "DescribeGlobalClusters" && s.command !== "DescribeDBClusters"),
    ).toEqual([
      {
        command: "FailoverGlobalCluster",
        region: "us-west-2",
        input: {
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: arn("us-west-2"),
          AllowDataLoss: true,
        },
      },
      {
        command: "RemoveFromGlobalCluster",
        region: "us-west-2",
        input: { GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: arn("us-west-2") },
      },
    ]);
    // The impaired writer region's endpoint was never called.
    expect(sent.some((s) => s.region === "us-east-1")).toBe(false);
  });
});
