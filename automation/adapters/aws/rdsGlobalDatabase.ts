import {
  type DBCluster,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
  RemoveFromGlobalClusterCommand,
  StopDBClusterCommand,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import type { GlobalClusterMember, GlobalClusterView, GlobalDatabase } from "../../ports";
import { declareActions } from "./awsActions";
import type { LagLookup } from "./cloudwatchLag";

export const RDS_GLOBAL_DATABASE_ACTIONS = declareActions("rds-global-database", "rds", [
  "DescribeGlobalClusters",
  "DescribeDBClusters",
  "FailoverGlobalCluster",
  "SwitchoverGlobalCluster",
  "RemoveFromGlobalCluster",
  "StopDBCluster",
]);

export interface RdsGlobalDatabaseOptions {
  readonly globalClusterId: string;
  /** Each region's cluster identifier (the topology names them `<environment>-<region>`). */
  readonly clusterIdentifier: (region: string) => string;
  /** The RDS client for a region's endpoint. */
  readonly rds: (region: string) => RDSClient;
  /** Replication lag per secondary (CloudWatch); without it, lag is unknown. */
  readonly lag?: LagLookup;
}

export class GlobalClusterNotFoundError extends Error {
  constructor(id: string, viaRegion: string) {
    super(`global cluster ${id} not found (asked ${viaRegion})`);
    this.name = "GlobalClusterNotFoundError";
  }
}

/** The region of an RDS cluster ARN: arn:aws:rds:<region>:<account>:cluster:<name>. */
export function arnRegion(arn: string): string {
  const parts = arn.split(":");
  if (parts.length < 7 || parts[2] !== "rds" || parts[3] === "")
    throw new Error(`not a regional RDS ARN: ${arn}`);
  return parts[3];
}

/**
 * Aurora is mid-failover or mid-switchover: no member is a confirmed writer. The RDS API reference
 * (FailoverState) says the structure is empty unless a switchover or failover is scheduled or under
 * way, and names pending, failing-over, cancelling and, during a switchover, switching-over; the
 * SDK's FailoverStatus enum lists only the first three. Any status at all therefore means a move,
 * so a value neither list names still reads as one rather than as a settled writer.
 */
function moving(state: GlobalCluster["FailoverState"]): boolean {
  const status: string | undefined = state?.Status;
  return status !== undefined && status !== "";
}

/**
 * An Aurora global database on RDS. Every call goes to the endpoint of the region it names
 * (`viaRegion`), so a failover is driven from the target region and never from the impaired one.
 */
export function rdsGlobalDatabase(options: RdsGlobalDatabaseOptions): GlobalDatabase {
  const { globalClusterId } = options;

  async function globalCluster(viaRegion: string): Promise<GlobalCluster> {
    const out = await options
      .rds(viaRegion)
      .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }));
    const found = (out.GlobalClusters ?? []).find((g) => g.GlobalClusterIdentifier === globalClusterId);
    if (found === undefined) throw new GlobalClusterNotFoundError(globalClusterId, viaRegion);
    return found;
  }

  /** The via region's own cluster, or null when it has none. */
  async function localCluster(viaRegion: string): Promise<DBCluster | null> {
    try {
      const out = await options
        .rds(viaRegion)
        .send(new DescribeDBClustersCommand({ DBClusterIdentifier: options.clusterIdentifier(viaRegion) }));
      return out.DBClusters?.[0] ?? null;
    } catch (err) {
      if ((err as { name?: string }).name === "DBClusterNotFoundFault") return null;
      throw err;
    }
  }

  async function memberArn(region: string, viaRegion: string): Promise<string> {
    const gc = await globalCluster(viaRegion);
    const arn = (gc.GlobalClusterMembers ?? [])
      .map((m) => m.DBClusterArn ?? "")
      .find((a) => a !== "" && arnRegion(a) === region);
    if (arn === undefined) throw new Error(`${region} has no cluster in global cluster ${globalClusterId}`);
    return arn;
  }

  return {
    async describe(viaRegion) {
      const [gc, local] = await Promise.all([globalCluster(viaRegion), localCluster(viaRegion)]);
      const inMove = moving(gc.FailoverState);
      const raw = (gc.GlobalClusterMembers ?? []).filter((m) => m.DBClusterArn !== undefined);
      const localArn = local?.DBClusterArn;
      const secondaries = raw
        .filter((m) => m.IsWriter !== true)
        .map((m) => arnRegion(m.DBClusterArn as string));
      const lags =
        options.lag === undefined || secondaries.length === 0
          ? new Map<string, number | null>()
          : await options.lag(
              secondaries.map((region) => ({ region, clusterIdentifier: options.clusterIdentifier(region) })),
            );
      const members: GlobalClusterMember[] = raw.map((m) => {
        const arn = m.DBClusterArn as string;
        const region = arnRegion(arn);
        const isWriter = m.IsWriter === true;
        let status = m.SynchronizationStatus ?? (isWriter ? "connected" : "unknown");
        // The via region's own cluster says more when it is busy (failing-over, modifying...).
        if (arn === localArn && local?.Status !== undefined && local.Status !== "available")
          status = local.Status;
        return {
          region,
          clusterArn: arn,
          isWriter,
          status,
          lagSeconds: isWriter ? 0 : (lags.get(region) ?? null),
        };
      });
      // Seen from a region whose cluster was detached and promoted (the failover fallback), that
      // region takes the writes: it is the writer for whoever asks through it.
      const detachedWriter =
        local !== null &&
        local.Status === "available" &&
        localArn !== undefined &&
        !raw.some((m) => m.DBClusterArn === localArn)
          ? viaRegion
          : null;
      const writer = detachedWriter ?? (inMove ? null : (members.find((m) => m.isWriter)?.region ?? null));
      const view: GlobalClusterView = {
        id: globalClusterId,
        writer,
        status: inMove ? (gc.FailoverState?.Status ?? "moving") : (gc.Status ?? "unknown"),
        members,
        ...(detachedWriter === null ? {} : { detachedWriter }),
        ...(detachedWriter === null || local?.Endpoint === undefined
          ? {}
          : {
              detachedCluster: {
                identifier: local.DBClusterIdentifier ?? options.clusterIdentifier(viaRegion),
                endpoint: local.Endpoint,
              },
            }),
      };
      return view;
    },

    async failover(toRegion, viaRegion) {
      const target = await memberArn(toRegion, viaRegion);
      await options.rds(viaRegion).send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: globalClusterId,
          TargetDbClusterIdentifier: target,
          AllowDataLoss: true,
        }),
      );
    },

    async switchover(toRegion, viaRegion) {
      const target = await memberArn(toRegion, viaRegion);
      await options.rds(viaRegion).send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: globalClusterId,
          TargetDbClusterIdentifier: target,
        }),
      );
    },

    async removeFromGlobal(region, viaRegion) {
      const arn = await memberArn(region, viaRegion);
      await options.rds(viaRegion).send(
        new RemoveFromGlobalClusterCommand({
          GlobalClusterIdentifier: globalClusterId,
          DbClusterIdentifier: arn,
        }),
      );
    },

    // A writer a detach left behind is first taken out of the old global cluster (a member cannot
    // be stopped), then stopped: a stopped cluster accepts no connections, so nothing writes to it
    // until a repair rebuilds it as a secondary of the writer.
    // A cluster's own APIs are those of its region, so the call goes there whatever `viaRegion` says.
    async fenceCluster(region) {
      const viaRegion = region;
      const local = await localCluster(region);
      if (local === null || local.Status === "stopped" || local.Status === "stopping") return;
      const gc = await globalCluster(viaRegion);
      const arn = local.DBClusterArn;
      if (arn !== undefined && (gc.GlobalClusterMembers ?? []).some((m) => m.DBClusterArn === arn)) {
        await options.rds(viaRegion).send(
          new RemoveFromGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterId,
            DbClusterIdentifier: arn,
          }),
        );
      }
      await options
        .rds(viaRegion)
        .send(new StopDBClusterCommand({ DBClusterIdentifier: options.clusterIdentifier(region) }));
    },
  };
}
