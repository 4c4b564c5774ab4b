import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface SecretReplica {
  readonly region: string;
  /** The replica's own region's key; a KMS key cannot encrypt outside its region. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

export interface DatabaseSecretArgs {
  /** Secrets Manager name, e.g. regionctl/dev/database. */
  readonly secretName: pulumi.Input<string>;
  readonly engine: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  /** A Pulumi secret. */
  readonly password: pulumi.Input<string>;
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly globalClusterIdentifier: pulumi.Input<string>;
  /**
   * Key of the secret's home region, when that region is one of the environment's. Default: a
   * customer-managed key made here, so the secret never falls back to the AWS managed key.
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Every other region the secret must be readable in. */
  readonly replicas: readonly SecretReplica[];
}

/**
 * The database credentials in Secrets Manager, replicated to every other region so apps and sync
 * jobs read them locally and keep working while the home region is down. The home region is the
 * global provider's (pass it in `providers`), which does not move on failover, so a switchover
 * never recreates the secret.
 */
export class DatabaseSecret extends pulumi.ComponentResource {
  readonly secretArn: pulumi.Output<string>;
  readonly secretName: pulumi.Output<string>;
  /** The secret's JSON document; a Pulumi secret. */
  readonly secretString: pulumi.Output<string>;

  constructor(name: string, args: DatabaseSecretArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const regions = args.replicas.map((r) => r.region);
    const duplicate = regions.find((r, i) => regions.indexOf(r) !== i);
    if (duplicate !== undefined) {
      throw new Error(`${name}: replicas name region ${duplicate} twice`);
    }
    super("regionctl:index:DatabaseSecret", name, {}, opts);

    const kmsKeyArn =
      args.kmsKeyArn ??
      new aws.kms.Key(
        `${name}-kms`,
        { description: "regionctl database secret", enableKeyRotation: true, deletionWindowInDays: 30 },
        { parent: this },
      ).arn;
    const secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        name: args.secretName,
        description: "regionctl database master credentials",
        kmsKeyId: kmsKeyArn,
        recoveryWindowInDays: 7,
        replicas: args.replicas.map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })),
      },
      { parent: this },
    );

    // The layout of RDS-managed secrets, so standard rotation and client tooling read it.
    this.secretString = pulumi.secret(
      pulumi.jsonStringify({
        engine: args.engine,
        username: args.username,
        password: args.password,
        host: args.host,
        port: args.port,
        globalClusterIdentifier: args.globalClusterIdentifier,
      }),
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      { secretId: secret.id, secretString: this.secretString },
      { parent: this },
    );

    this.secretArn = secret.arn;
    this.secretName = secret.name;
    this.registerOutputs({
      secretArn: this.secretArn,
      secretName: this.secretName,
      secretString: this.secretString,
    });
  }
}
