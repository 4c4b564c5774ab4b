import type * as pulumi from "@pulumi/pulumi";
import type { core } from "@pulumi/kubernetes/types/input";
import { APP_NAME, HTTP_PORT_NAME, serviceSelector } from "./appSpec";
import type { RegionPlan } from "./topology";

/**
 * The Service that exposes one region's app at its endpoint, as data: a Network Load Balancer made
 * by the AWS Load Balancer Controller, terminating TLS with the region's certificate on the port
 * Route 53 checks, and sending the traffic to the pods of the colour the region serves.
 */

export const PUBLIC_SERVICE_NAME = `${APP_NAME}-public`;
export const HTTPS_PORT_NAME = "https";
/** Handled by the AWS Load Balancer Controller, not the in-tree cloud provider. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

const ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer";

export function loadBalancerAnnotations(
  certificateArn: string,
  port: number,
): Record<string, pulumi.Input<string>> {
  return {
    [`${ANNOTATION}-type`]: "external",
    // Route 53's health checkers probe from the internet.
    [`${ANNOTATION}-scheme`]: "internet-facing",
    // Straight to the pods, so a blue-green switch of the selector moves traffic at once.
    [`${ANNOTATION}-nlb-target-type`]: "ip",
    [`${ANNOTATION}-ssl-cert`]: certificateArn,
    [`${ANNOTATION}-ssl-ports`]: String(port),
  };
}

export function publicServiceSpec(plan: RegionPlan, port: number): core.v1.ServiceSpec {
  return {
    type: "LoadBalancer",
    loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
    selector: serviceSelector(plan),
    ports: [{ name: HTTPS_PORT_NAME, port, targetPort: HTTP_PORT_NAME, protocol: "TCP" }],
  };
}
