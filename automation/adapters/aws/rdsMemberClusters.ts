import {
  type DBCluster,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  ModifyDBClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import type { MemberClusterView, MemberClusters } from "../../ports";
import { declareActions } from "./awsActions";

/** On the member clusters: their status, and the master password. */
export const RDS_MEMBER_CLUSTER_ACTIONS = declareActions("rds-member-clusters", "rds", [
  "DescribeDBClusters",
  "ModifyDBCluster",
]);

/** On the members' cluster parameter groups: the managed-RPO guard. */
export const RDS_RPO_GUARD_ACTIONS = declareActions("rds-rpo-guard", "rds", [
  "DescribeDBClusterParameters",
  "ModifyDBClusterParameterGroup",
]);

/** The managed-RPO guard's parameter (Aurora PostgreSQL global databases). */
export const RPO_GUARD_PARAMETER = "rds.global_db_rpo";

export interface RdsMemberClustersOptions {
  /** Each region's cluster identifier (the topology names them `<environment>-<region>`). */
  readonly clusterIdentifier: (region: string) => string;
  /** The RDS client for a region's endpoint. */
  readonly rds: (region: string) => RDSClient;
}

export class MemberClusterNotFoundError extends Error {
  constructor(identifier: string, region: string) {
    super(`cluster ${identifier} not found in ${region}`);
    this.name = "MemberClusterNotFoundError";
  }
}

/** The global database's member clusters on RDS, each through its own region's endpoint. */
export function rdsMemberClusters(options: RdsMemberClustersOptions): MemberClusters {
  async function cluster(region: string): Promise<DBCluster> {
    const id = options.clusterIdentifier(region);
    try {
      const out = await options.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
      const found = out.DBClusters?.[0];
      if (found === undefined) throw new MemberClusterNotFoundError(id, region);
      return found;
    } catch (err) {
      if ((err as { name?: string }).name === "DBClusterNotFoundFault")
        throw new MemberClusterNotFoundError(id, region);
      throw err;
    }
  }

  async function rpoGuard(region: string, group: string | undefined): Promise<number | null> {
    if (group === undefined || group === "") return null;
    let marker: string | undefined;
    do {
      const out = await options
        .rds(region)
        .send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: group, Marker: marker }));
      const found = (out.Parameters ?? []).find((p) => p.ParameterName === RPO_GUARD_PARAMETER);
      if (found !== undefined) {
        const seconds = Number(found.ParameterValue);
        return found.ParameterValue === undefined || !Number.isFinite(seconds) ? null : seconds;
      }
      marker = out.Marker;
    } while (marker !== undefined && marker !== "");
    return null;
  }

  return {
    async describe(region): Promise<MemberClusterView> {
      const c = await cluster(region);
      return {
        status: c.Status ?? "unknown",
        passwordPending: c.PendingModifiedValues?.MasterUserPassword !== undefined,
        rpoGuardSeconds: await rpoGuard(region, c.DBClusterParameterGroup),
      };
    },

    async setMasterPassword(region, password) {
      await options.rds(region).send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: options.clusterIdentifier(region),
          MasterUserPassword: password,
          ApplyImmediately: true,
        }),
      );
    },

    async setRpoGuard(region, seconds) {
      const group = (await cluster(region)).DBClusterParameterGroup;
      // Every cluster has some group; the engine's default one cannot be modified, and changing
      // it would change every cluster that uses it.
      if (group === undefined || group === "" || group.startsWith("default.")) {
        throw new Error(
          `${options.clusterIdentifier(region)} in ${region} has no cluster parameter group of its own to set ${RPO_GUARD_PARAMETER} in`,
        );
      }
      await options.rds(region).send(
        new ModifyDBClusterParameterGroupCommand({
          DBClusterParameterGroupName: group,
          Parameters: [
            { ParameterName: RPO_GUARD_PARAMETER, ParameterValue: String(seconds), ApplyMethod: "immediate" },
          ],
        }),
      );
    },
  };
}
