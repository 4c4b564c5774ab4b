import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import {
  type AuroraEngine,
  MEMBER_CLUSTER_IGNORE_CHANGES,
  MEMBER_INSTANCE_IGNORE_CHANGES,
  clusterParameterFamily,
  databaseKeyAlias,
  enginePort,
  instanceIdentifiers,
  rpoParameterGroupPrefix,
  rpoParameters,
} from "./auroraSettings";
import { auroraLogExports } from "./auroraLogExports";
import type { EnvironmentConfig } from "./config";
import type { RegionPlan } from "./topology";

export interface AuroraRegionalClusterArgs {
  readonly environment: string;
  readonly region: string;
  /**
   * The region's member from the topology. Plain data, not Inputs: it decides which resources
   * exist (primary or secondary, how many instances).
   */
  readonly member: RegionPlan["database"];
  readonly database: EnvironmentConfig["database"];
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly globalClusterIdentifier: pulumi.Input<string>;
  /** Used only while this region is primary. */
  readonly masterUsername: pulumi.Input<string>;
  /** Used only while this region is primary; a Pulumi secret. */
  readonly masterPassword: pulumi.Input<string>;
  /** The primary's cluster and instances; a secondary is created only after them. Required for a secondary. */
  readonly primaryMembers?: readonly pulumi.Resource[];
}

/**
 * One region's member of the Aurora global database: its own KMS key, DB subnet group, security
 * groups (no public access), optional managed-RPO parameter group, the cluster and its instances.
 * Pass the region's AWS provider in `providers`; this component lives under the region's RegionStack.
 */
export class AuroraRegionalCluster extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterIdentifier: pulumi.Output<string>;
  readonly clusterEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** Attach this group to whatever must reach the database (app nodes or pods). */
  readonly clientSecurityGroupId: pulumi.Output<string>;
  /** The database's own group, which admits the clients group on the database port. */
  readonly securityGroupId: pulumi.Output<string>;
  /** The cluster and its instances, for secondaries to depend on while this region is primary. */
  readonly members: readonly pulumi.Resource[];

  constructor(name: string, args: AuroraRegionalClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const { member, database } = args;
    const primary = member.role === "primary";
    if (!primary && (args.primaryMembers === undefined || args.primaryMembers.length === 0)) {
      throw new Error(`${name}: primaryMembers is required for a secondary member (region ${args.region})`);
    }
    if (member.instances < 1) {
      throw new Error(`${name}: member.instances must be at least 1, got ${member.instances}`);
    }
    super("regionctl:index:AuroraRegionalCluster", name, {}, opts);
    const port = enginePort(database.engine);

    const key = new aws.kms.Key(
      `${name}-kms`,
      {
        description: `regionctl ${args.environment} database (${args.region})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-kms-alias`,
      { name: databaseKeyAlias(args.environment), targetKeyId: key.keyId },
      { parent: this },
    );

    const subnets = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { description: `regionctl ${args.environment} database subnets`, subnetIds: args.subnetIds },
      { parent: this },
    );

    const clients = new aws.ec2.SecurityGroup(
      `${name}-clients`,
      { vpcId: args.vpcId, description: `Clients of the regionctl ${args.environment} database` },
      { parent: this },
    );
    // No ingress from any CIDR: only members of the clients group reach the database port.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `regionctl ${args.environment} database` },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-ingress`,
      {
        securityGroupId: sg.id,
        referencedSecurityGroupId: clients.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: "database clients",
      },
      { parent: this },
    );

    const parameters = rpoParameters(database, member.rpoGuardRelaxed);
    const parameterGroup =
      parameters === null
        ? undefined
        : new aws.rds.ClusterParameterGroup(
            `${name}-params`,
            {
              namePrefix: rpoParameterGroupPrefix(args.environment, args.region),
              family: clusterParameterFamily(database.engine, database.engineVersion),
              description: "regionctl managed RPO",
              parameters,
            },
            { parent: this },
          );

    // RDS refuses a final snapshot whose name is taken, and a destroyed cluster's snapshot stays: a
    // fixed name would make the second destroy of a re-created environment fail. The suffix is made
    // once per create of this member and destroyed with it.
    const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, { parent: this });

    const cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        clusterIdentifier: member.clusterIdentifier,
        engine: database.engine,
        engineVersion: database.engineVersion,
        globalClusterIdentifier: args.globalClusterIdentifier,
        masterUsername: primary ? args.masterUsername : undefined,
        masterPassword: primary ? pulumi.secret(args.masterPassword) : undefined,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [sg.id],
        dbClusterParameterGroupName: parameterGroup?.name,
        port,
        storageEncrypted: true,
        kmsKeyId: key.arn,
        // Apps can connect with tokens from their pod identity rather than the master password.
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: auroraLogExports(database.engine),
        deletionProtection: database.deletionProtection,
        backupRetentionPeriod: database.backupRetentionDays,
        copyTagsToSnapshot: true,
        // The writer is decided from this tag, which follows the plan on every update; the
        // credentials cannot tell, because they are ignored after creation and keep their old values.
        tags: { role: primary ? "writer" : "secondary" },
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: pulumi.interpolate`${member.clusterIdentifier}-final-${snapshotSuffix.hex}`,
      },
      {
        parent: this,
        dependsOn: primary ? [] : [...(args.primaryMembers ?? [])],
        ignoreChanges: [...MEMBER_CLUSTER_IGNORE_CHANGES],
      },
    );

    const instances = instanceIdentifiers(member.clusterIdentifier, member.instances).map(
      (identifier, i) =>
        new aws.rds.ClusterInstance(
          `${name}-instance-${i + 1}`,
          {
            identifier,
            clusterIdentifier: cluster.id,
            instanceClass: database.instanceClass,
            engine: database.engine as AuroraEngine,
            engineVersion: database.engineVersion,
            dbSubnetGroupName: subnets.name,
            publiclyAccessible: false,
            copyTagsToSnapshot: true,
            promotionTier: i,
          },
          { parent: this, ignoreChanges: [...MEMBER_INSTANCE_IGNORE_CHANGES] },
        ),
    );

    this.clusterArn = cluster.arn;
    this.clusterIdentifier = cluster.clusterIdentifier;
    this.clusterEndpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.kmsKeyArn = key.arn;
    this.clientSecurityGroupId = clients.id;
    this.securityGroupId = sg.id;
    this.members = [cluster, ...instances];

    this.registerOutputs({
      clusterArn: this.clusterArn,
      clusterIdentifier: this.clusterIdentifier,
      clusterEndpoint: this.clusterEndpoint,
      readerEndpoint: this.readerEndpoint,
      kmsKeyArn: this.kmsKeyArn,
      clientSecurityGroupId: this.clientSecurityGroupId,
      securityGroupId: this.securityGroupId,
    });
  }
}
