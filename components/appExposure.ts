import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { PUBLIC_SERVICE_NAME, loadBalancerAnnotations, publicServiceSpec } from "./exposureSpec";
import type { RegionPlan } from "./topology";

export interface AppExposureArgs {
  /** Plain data: the region's plan decides which colour the Service selects. */
  readonly plan: RegionPlan;
  readonly namespace: pulumi.Input<string>;
  /** ACM certificate in the plan's region, valid for the plan's endpoint. */
  readonly certificateArn: string;
  /** The port Route 53 checks (`dns.healthCheck.port`); the load balancer listens on it. */
  readonly port: number;
  /** The hosted zone of the environment's names; the region's endpoint record goes there. */
  readonly zoneId: pulumi.Input<string>;
  /** Seconds. */
  readonly ttl: number;
}

/**
 * One region's app on the internet at the host name its health check probes: a LoadBalancer
 * Service (an NLB with TLS) and the Route 53 record `<endpoint> CNAME <load balancer host name>`.
 * The routed records (failover, latency, weighted) point at that endpoint, so the chain is
 * global name → region endpoint → load balancer → pods. The load balancer's host name exists only
 * once the controller has made it; the Kubernetes provider waits for it before the record is
 * written. Pass the region's AWS and Kubernetes providers in `providers`.
 */
export class AppExposure extends pulumi.ComponentResource {
  readonly loadBalancerHostname: pulumi.Output<string>;
  readonly endpointFqdn: pulumi.Output<string>;

  constructor(name: string, args: AppExposureArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const { plan } = args;
    const certRegion = args.certificateArn.split(":")[3];
    if (certRegion !== plan.region) {
      throw new Error(
        `${name}: certificateArn is in ${certRegion ?? "no region"}, but the load balancer is in ${plan.region}`,
      );
    }
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) {
      throw new Error(`${name}: port must be an integer from 1 to 65535, got ${args.port}`);
    }
    super("regionctl:index:AppExposure", name, {}, opts);

    const service = new k8s.core.v1.Service(
      `${name}-lb`,
      {
        metadata: {
          name: PUBLIC_SERVICE_NAME,
          namespace: args.namespace,
          annotations: loadBalancerAnnotations(args.certificateArn, args.port),
        },
        spec: publicServiceSpec(plan, args.port),
      },
      { parent: this },
    );
    this.loadBalancerHostname = service.status.apply((s) => {
      const hostname = s?.loadBalancer?.ingress?.[0]?.hostname;
      if (hostname === undefined || hostname === "") {
        throw new Error(`${name}: Service ${PUBLIC_SERVICE_NAME} has no load balancer host name`);
      }
      return hostname;
    });

    const record = new aws.route53.Record(
      `${name}-endpoint`,
      {
        zoneId: args.zoneId,
        name: plan.endpoint,
        type: "CNAME",
        ttl: args.ttl,
        records: [this.loadBalancerHostname],
      },
      { parent: this },
    );

    this.endpointFqdn = record.fqdn;
    this.registerOutputs({
      loadBalancerHostname: this.loadBalancerHostname,
      endpointFqdn: this.endpointFqdn,
    });
  }
}
