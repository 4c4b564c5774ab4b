import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { podIdentityTrustPolicy, secretReadPolicy } from "./appIdentityPolicy";

export interface AppIdentityArgs {
  readonly region: string;
  /** The region's EKS cluster, where the association binds the role. */
  readonly clusterName: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
  /** The Kubernetes service account the app's and sync job's pods run as. */
  readonly serviceAccount: pulumi.Input<string>;
  /** The database secret's ARN in its home region; the role reads this region's replica. */
  readonly secretArn: pulumi.Input<string>;
  /** This region's database key, which encrypts the replica. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The IAM identity of the region's pods, through EKS Pod Identity: a role that may read the
 * database secret's replica in this region (and decrypt it with the region's key), associated with
 * the app's service account in the region's cluster. Pass the region's AWS provider in `providers`.
 */
export class AppIdentity extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: AppIdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    if (args.region.length === 0) {
      throw new Error(`${name}: region must not be empty`);
    }
    super("regionctl:index:AppIdentity", name, {}, opts);

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `regionctl app pods (${args.region})`,
        assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-secret-read`,
      {
        role: role.id,
        policy: pulumi
          .all([args.secretArn, args.kmsKeyArn])
          .apply(([secretArn, kmsKeyArn]) =>
            JSON.stringify(secretReadPolicy({ secretArn, kmsKeyArn, region: args.region })),
          ),
      },
      { parent: this },
    );
    new aws.eks.PodIdentityAssociation(
      `${name}-association`,
      {
        clusterName: args.clusterName,
        namespace: args.namespace,
        serviceAccount: args.serviceAccount,
        roleArn: role.arn,
      },
      { parent: this },
    );

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
