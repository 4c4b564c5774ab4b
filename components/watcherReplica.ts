import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { podIdentityTrustPolicy } from "./appIdentityPolicy";
import type { ControlPlaneConfig } from "./config";
import type { PolicyDocument } from "./controllerPolicy";
import {
  WATCHER_NAME,
  WATCHER_SERVICE_ACCOUNT,
  watcherDeploymentSpec,
  watcherLabels,
  watcherServiceAccountAnnotations,
} from "./watcherSpec";

export interface WatcherReplicaArgs {
  /** The region whose cluster runs this replica, and the region it is told it is in. */
  readonly region: string;
  /** The stack the watcher operates. */
  readonly stack: string;
  /** The region's EKS cluster, where Pod Identity binds the watcher's role. */
  readonly clusterName: pulumi.Input<string>;
  readonly controlPlane: ControlPlaneConfig;
  /** Seconds between observations. */
  readonly intervalSeconds: number;
  /** The controller's IAM policy (`regionctl iam-policy` for this environment). */
  readonly policy: PolicyDocument;
}

/**
 * One region's `regionctl watch` replica: its namespace, its service account, a one-pod Deployment
 * with the restricted security context, probes on its heartbeat and resource limits, and its AWS
 * identity. Without `controlPlane.serviceAccountRoleArn` that identity is a role made here with the
 * controller's policy, bound to the service account with EKS Pod Identity; with it, the user's role
 * through IRSA. Pass the region's AWS and Kubernetes providers in `providers`.
 */
export class WatcherReplica extends pulumi.ComponentResource {
  readonly namespaceName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: WatcherReplicaArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    if (args.controlPlane.image === undefined) {
      throw new Error(`${name}: controlPlane.image is required for a watcher`);
    }
    if (!args.controlPlane.watchers.includes(args.region)) {
      throw new Error(`${name}: ${args.region} is not among controlPlane.watchers`);
    }
    super("regionctl:index:WatcherReplica", name, {}, opts);

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: args.controlPlane.namespace,
          labels: { "app.kubernetes.io/managed-by": "regionctl" },
        },
      },
      { parent: this },
    );
    const namespace = ns.metadata.name;

    let roleArn: pulumi.Output<string>;
    const podPrerequisites: pulumi.Resource[] = [];
    if (args.controlPlane.serviceAccountRoleArn !== undefined) {
      roleArn = pulumi.output(args.controlPlane.serviceAccountRoleArn);
    } else {
      const role = new aws.iam.Role(
        `${name}-role`,
        {
          description: `regionctl watch (${args.region})`,
          assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-controller`,
        { role: role.id, policy: JSON.stringify(args.policy) },
        { parent: this },
      );
      // Credentials are handed out when the pod starts, so the binding exists before the pod does.
      podPrerequisites.push(
        new aws.eks.PodIdentityAssociation(
          `${name}-association`,
          {
            clusterName: args.clusterName,
            namespace,
            serviceAccount: WATCHER_SERVICE_ACCOUNT,
            roleArn: role.arn,
          },
          { parent: this },
        ),
      );
      roleArn = role.arn;
    }

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: WATCHER_SERVICE_ACCOUNT,
          namespace,
          annotations: watcherServiceAccountAnnotations(args.controlPlane),
        },
      },
      { parent: this },
    );
    podPrerequisites.push(serviceAccount);

    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: WATCHER_NAME, namespace, labels: watcherLabels(args.region) },
        spec: watcherDeploymentSpec({
          region: args.region,
          stack: args.stack,
          controlPlane: args.controlPlane,
          intervalSeconds: args.intervalSeconds,
        }),
      },
      { parent: this, dependsOn: podPrerequisites },
    );

    this.namespaceName = namespace;
    this.roleArn = roleArn;
    this.registerOutputs({ namespaceName: this.namespaceName, roleArn: this.roleArn });
  }
}
