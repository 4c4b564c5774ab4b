import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

const ENDPOINT_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];
const HTTPS_TYPES = ["HTTPS", "HTTPS_STR_MATCH"];

/**
 * A health check proves what clients get: the TLS endpoint. A plain HTTP or TCP check stays green
 * while an expired certificate or a broken TLS listener turns every client away.
 */
export const route53HealthCheckHttps: ResourceValidationPolicy = {
  name: "route53-health-check-https",
  description: "Route 53 endpoint health checks use HTTPS.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: (args, report) => {
    if (args.type !== T.route53HealthCheck) return;
    const type = prop(args.props, "type");
    if (type.state !== "known") return;
    const value = String(type.value);
    if (!ENDPOINT_TYPES.includes(value)) {
      args.notApplicable(`${value} health checks do not probe an endpoint`);
    }
    if (!HTTPS_TYPES.includes(value)) {
      report(`health check type is ${value}; use HTTPS (or HTTPS_STR_MATCH).`);
    }
  },
};
