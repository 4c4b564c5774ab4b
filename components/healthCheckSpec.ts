import type { EnvironmentConfig } from "./config";

type HealthCheckConfig = EnvironmentConfig["dns"]["healthCheck"];

/**
 * Every region Route 53 runs health checkers in. Listing them all (rather than Route 53's minimum of
 * three) keeps the 18 % rule meaningful when one checker region has trouble of its own.
 */
export const HEALTH_CHECKER_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

export interface HealthCheckSpec {
  readonly type: "HTTPS";
  readonly fqdn: string;
  readonly port: number;
  readonly resourcePath: string;
  readonly requestInterval: number;
  readonly failureThreshold: number;
  readonly measureLatency: true;
  readonly enableSni: true;
  readonly regions: string[];
}

/** The Route 53 HTTPS health check of one region's endpoint. */
export function healthCheckSpec(endpoint: string, healthCheck: HealthCheckConfig): HealthCheckSpec {
  return {
    type: "HTTPS",
    fqdn: endpoint,
    port: healthCheck.port,
    resourcePath: healthCheck.path,
    requestInterval: healthCheck.intervalSeconds,
    failureThreshold: healthCheck.failureThreshold,
    measureLatency: true,
    enableSni: true,
    regions: [...HEALTH_CHECKER_REGIONS],
  };
}
