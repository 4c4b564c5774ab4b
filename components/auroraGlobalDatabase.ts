import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { type AuroraEngine, MASTER_USERNAME } from "./auroraSettings";

export interface AuroraGlobalDatabaseArgs {
  readonly globalClusterIdentifier: pulumi.Input<string>;
  readonly engine: pulumi.Input<AuroraEngine>;
  readonly engineVersion: pulumi.Input<string>;
  readonly deletionProtection: pulumi.Input<boolean>;
}

/**
 * The global pieces of the Aurora global database: the global cluster and the master credentials.
 * Each region's member cluster lives under that region's RegionStack (AuroraRegionalCluster), so
 * the global cluster never references a particular primary and a switchover changes nothing here.
 * Pass the global AWS provider in `providers`.
 */
/** Every input of the master password: a change to any of them would replace it. */
export const PASSWORD_IGNORE_CHANGES = [
  "length",
  "special",
  "overrideSpecial",
  "upper",
  "lower",
  "numeric",
  "minUpper",
  "minLower",
  "minNumeric",
  "minSpecial",
  "keepers",
] as const;

export class AuroraGlobalDatabase extends pulumi.ComponentResource {
  /** The global cluster identifier (what the RDS APIs take), e.g. dev-global. */
  readonly globalClusterId: pulumi.Output<string>;
  readonly globalClusterArn: pulumi.Output<string>;
  /** Always points at the writer instance of the current primary cluster. */
  readonly writerEndpoint: pulumi.Output<string>;
  readonly engine: pulumi.Output<string>;
  readonly engineVersion: pulumi.Output<string>;
  readonly masterUsername: pulumi.Output<string>;
  /** A Pulumi secret. */
  readonly masterPassword: pulumi.Output<string>;

  constructor(name: string, args: AuroraGlobalDatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("regionctl:index:AuroraGlobalDatabase", name, {}, opts);

    const cluster = new aws.rds.GlobalCluster(
      `${name}-cluster`,
      {
        globalClusterIdentifier: args.globalClusterIdentifier,
        engine: args.engine,
        engineVersion: args.engineVersion,
        storageEncrypted: true,
        deletionProtection: args.deletionProtection,
        forceDestroy: false,
      },
      { parent: this },
    );

    // Aurora refuses '/', '@', '"' and spaces in master passwords. A new password would reach the
    // secret but not the cluster (masterPassword is ignored after creation) and lock every app
    // out, so the password is never replaced: its settings are frozen and the engine refuses to
    // delete it. Rotation is an explicit operation that changes the writer first, then the secret.
    const password = new random.RandomPassword(
      `${name}-master-password`,
      { length: 32, special: true, overrideSpecial: "!#$%^&*()-_=+[]{}<>:?" },
      { parent: this, protect: true, ignoreChanges: [...PASSWORD_IGNORE_CHANGES] },
    );

    this.globalClusterId = cluster.globalClusterIdentifier;
    this.globalClusterArn = cluster.arn;
    this.writerEndpoint = cluster.endpoint;
    this.engine = cluster.engine;
    this.engineVersion = cluster.engineVersion;
    this.masterUsername = pulumi.output(MASTER_USERNAME);
    this.masterPassword = pulumi.secret(password.result);

    this.registerOutputs({
      globalClusterId: this.globalClusterId,
      globalClusterArn: this.globalClusterArn,
      writerEndpoint: this.writerEndpoint,
      engine: this.engine,
      engineVersion: this.engineVersion,
      masterUsername: this.masterUsername,
      masterPassword: this.masterPassword,
    });
  }
}
