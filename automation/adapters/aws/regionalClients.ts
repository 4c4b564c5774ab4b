import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsClientOptions, awsClientConfig } from "./clientConfig";

/**
 * One SDK client per service and region, built on first use. Every call site names the region
 * whose endpoint it uses, so an impaired region's endpoints are never on a recovery path.
 */
export interface RegionalClients {
  rds(region: string): RDSClient;
  cloudwatch(region: string): CloudWatchClient;
  secretsManager(region: string): SecretsManagerClient;
  /** Route 53's control plane lives in us-east-1. */
  route53(): Route53Client;
}

export const ROUTE53_CONTROL_REGION = "us-east-1";

export function createRegionalClients(options: AwsClientOptions = {}): RegionalClients {
  const rds = new Map<string, RDSClient>();
  const cloudwatch = new Map<string, CloudWatchClient>();
  const secretsManager = new Map<string, SecretsManagerClient>();
  let route53: Route53Client | undefined;
  const cached = <T>(cache: Map<string, T>, region: string, make: () => T): T => {
    let client = cache.get(region);
    if (client === undefined) {
      client = make();
      cache.set(region, client);
    }
    return client;
  };
  return {
    rds: (region) => cached(rds, region, () => new RDSClient(awsClientConfig(region, options))),
    cloudwatch: (region) =>
      cached(cloudwatch, region, () => new CloudWatchClient(awsClientConfig(region, options))),
    secretsManager: (region) =>
      cached(secretsManager, region, () => new SecretsManagerClient(awsClientConfig(region, options))),
    route53: () => (route53 ??= new Route53Client(awsClientConfig(ROUTE53_CONTROL_REGION, options))),
  };
}
