import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface SecretReplica {
  readonly region: string;
  /** The replica's own region's key; a KMS key cannot encrypt outside its region. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The tag saying who rotates the secret: `regionctl rotate-password` (the writer first, then the
 * secret). The policy pack's `database-secret-rotation` accepts it in place of a SecretRotation.
 */
export const SECRET_ROTATION_TAGS: Readonly<Record<string, string>> = { "regionctl:rotation": "controller" };

/**
 * After creation the secret's document belongs to `regionctl rotate-password`: the program's copy
 * still carries the first password, and writing it back would lock every app out.
 */
export const SECRET_VERSION_IGNORE_CHANGES = ["secretString"] as const;

export interface DatabaseSecretArgs {
  /** Secrets Manager name, e.g. regionctl/dev/database. */
  readonly secretName: pulumi.Input<string>;
  readonly engine: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  /** A Pulumi secret. */
  readonly password: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
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
 *
 * The document holds credentials only, never where the writer is: the program writes it once and
 * the controller owns it after (it rotates the password), so a host in it would go stale at the
 * first failover. Apps and sync jobs get the writer endpoint from DATABASE_WRITER_ENDPOINT, which
 * the program renders from the operational state on every update.
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
        tags: { ...SECRET_ROTATION_TAGS },
      },
      { parent: this },
    );

    // The field names of RDS-managed secrets, so client tooling reads it.
    this.secretString = pulumi.secret(
      pulumi.jsonStringify({
        engine: args.engine,
        username: args.username,
        password: args.password,
        port: args.port,
      }),
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      { secretId: secret.id, secretString: this.secretString },
      { parent: this, ignoreChanges: [...SECRET_VERSION_IGNORE_CHANGES] },
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
