import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export type DatabaseAccessMode = "pods" | "nodes";

export interface DatabaseAccessArgs {
  /** `pods`: pods join the clients group; `nodes`: the database admits the cluster security group. */
  readonly mode: DatabaseAccessMode;
  readonly port: number;
  /** The database's clients group (AuroraRegionalCluster.clientSecurityGroupId). */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /** The database's own group (AuroraRegionalCluster.securityGroupId). */
  readonly databaseSecurityGroupId: pulumi.Input<string>;
  /** The EKS cluster security group, brought by the cluster's own tooling. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
}

/**
 * The network path from the region's pods to its database. The clients group always gets egress
 * to the database port: a group made by the provider starts with no egress at all. With `pods`,
 * `podSecurityGroupIds` lists the groups the pods' SecurityGroupPolicy must give them; with
 * `nodes`, the database admits the cluster security group and that group may reach the database
 * port, and `podSecurityGroupIds` is undefined. Pass the region's AWS provider in `providers`.
 */
export class DatabaseAccess extends pulumi.ComponentResource {
  /** The groups for the pods' SecurityGroupPolicy; undefined with mode `nodes`. */
  readonly podSecurityGroupIds: pulumi.Output<string>[] | undefined;

  constructor(name: string, args: DatabaseAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) {
      throw new Error(`${name}: port must be an integer from 1 to 65535, got ${args.port}`);
    }
    if (args.mode !== "pods" && args.mode !== "nodes") {
      throw new Error(`${name}: mode must be pods or nodes, got ${String(args.mode)}`);
    }
    super("regionctl:index:DatabaseAccess", name, {}, opts);
    const port = { ipProtocol: "tcp", fromPort: args.port, toPort: args.port };

    new aws.vpc.SecurityGroupEgressRule(
      `${name}-clients-egress`,
      {
        securityGroupId: args.clientSecurityGroupId,
        referencedSecurityGroupId: args.databaseSecurityGroupId,
        description: "to the database",
        ...port,
      },
      { parent: this },
    );

    if (args.mode === "nodes") {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-nodes-ingress`,
        {
          securityGroupId: args.databaseSecurityGroupId,
          referencedSecurityGroupId: args.clusterSecurityGroupId,
          description: "the cluster's nodes",
          ...port,
        },
        { parent: this },
      );
      // EKS gives the cluster group open egress; this rule keeps the path if a team narrows it.
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-nodes-egress`,
        {
          securityGroupId: args.clusterSecurityGroupId,
          referencedSecurityGroupId: args.databaseSecurityGroupId,
          description: "to the regionctl database",
          ...port,
        },
        { parent: this },
      );
      this.podSecurityGroupIds = undefined;
    } else {
      this.podSecurityGroupIds = [
        pulumi.output(args.clientSecurityGroupId),
        pulumi.output(args.clusterSecurityGroupId),
      ];
    }
    this.registerOutputs({ podSecurityGroupIds: this.podSecurityGroupIds });
  }
}
