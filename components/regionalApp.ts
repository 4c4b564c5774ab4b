import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  APP_NAME,
  APP_SERVICE_ACCOUNT,
  type EnvVar,
  deploymentName,
  deploymentSpec,
  disruptionBudgetSpec,
  serviceSelector,
  serviceSpec,
} from "./appSpec";
import type { EnvironmentConfig } from "./config";
import {
  SECURITY_GROUP_POLICY_API_VERSION,
  SECURITY_GROUP_POLICY_KIND,
  SECURITY_GROUP_POLICY_NAME,
  securityGroupPolicySpec,
} from "./podSecurityGroupPolicy";
import type { RegionPlan } from "./topology";

export interface RegionalAppArgs {
  /** Plain data, not Inputs: the region's slots decide the Deployments' shape. */
  readonly plan: RegionPlan;
  readonly app: EnvironmentConfig["app"];
  readonly namespace: string;
  /** Path of the readiness and liveness probes; the same path Route 53 checks. */
  readonly healthPath: string;
  /** Extra container environment (database endpoints, secret name). */
  readonly env?: readonly EnvVar[];
  /**
   * Security groups the app's and sync job's pods get through a SecurityGroupPolicy. Default: none,
   * the pods use their nodes' groups.
   */
  readonly podSecurityGroupIds?: readonly pulumi.Input<string>[];
}

/**
 * One region's application on its Kubernetes cluster: a namespace, the service account its pods
 * run as, optionally their SecurityGroupPolicy, a blue and a green Deployment sized from the
 * topology's slots, a Service selecting the active colour (both during a canary) and a
 * PodDisruptionBudget. Pass the region's Kubernetes provider in `providers`.
 */
export class RegionalApp extends pulumi.ComponentResource {
  readonly namespaceName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly serviceAccountName: pulumi.Output<string>;
  readonly selector: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: RegionalAppArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const { plan, app } = args;
    if (!args.healthPath.startsWith("/")) {
      throw new Error(`${name}: healthPath must start with /, got ${args.healthPath}`);
    }
    if (args.namespace.length === 0) {
      throw new Error(`${name}: namespace must not be empty`);
    }
    super("regionctl:index:RegionalApp", name, {}, opts);

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: args.namespace, labels: { "app.kubernetes.io/managed-by": "regionctl" } } },
      { parent: this },
    );
    const namespace = ns.metadata.name;

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: APP_SERVICE_ACCOUNT, namespace } },
      { parent: this },
    );
    // Pods get their security groups when they start, so the policy exists before any pod does.
    const podPrerequisites: pulumi.Resource[] = [serviceAccount];
    if (args.podSecurityGroupIds !== undefined) {
      podPrerequisites.push(
        new k8s.apiextensions.CustomResource(
          `${name}-sgp`,
          {
            apiVersion: SECURITY_GROUP_POLICY_API_VERSION,
            kind: SECURITY_GROUP_POLICY_KIND,
            metadata: { name: SECURITY_GROUP_POLICY_NAME, namespace },
            spec: securityGroupPolicySpec(args.podSecurityGroupIds),
          },
          { parent: this },
        ),
      );
    }

    for (const slot of plan.app.slots) {
      new k8s.apps.v1.Deployment(
        `${name}-${slot.color}`,
        {
          metadata: { name: deploymentName(slot.color), namespace },
          spec: deploymentSpec(slot, plan, app, args.healthPath, args.env ?? []),
        },
        { parent: this, dependsOn: podPrerequisites },
      );
    }

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      { metadata: { name: APP_NAME, namespace }, spec: serviceSpec(plan) },
      { parent: this },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: { name: APP_NAME, namespace }, spec: disruptionBudgetSpec() },
      { parent: this },
    );

    this.namespaceName = namespace;
    this.serviceAccountName = serviceAccount.metadata.name;
    this.serviceName = service.metadata.name;
    this.selector = pulumi.output(serviceSelector(plan));
    this.registerOutputs({
      namespaceName: this.namespaceName,
      serviceName: this.serviceName,
      serviceAccountName: this.serviceAccountName,
      selector: this.selector,
    });
  }
}
