import type { EnvironmentConfig } from "../../components/config";
import type { RegionEndpoint } from "../ports";

/** The URL the controller probes for a region: the same host, port and path Route 53 checks. */
export function regionEndpoint(config: EnvironmentConfig, region: string): RegionEndpoint {
  const r = config.regions.find((x) => x.region === region);
  if (r === undefined) {
    throw new Error(`region ${region} is not in the config`);
  }
  const check = config.dns.healthCheck;
  const port = check.port === 443 ? "" : `:${check.port}`;
  return { region, url: `https://${r.endpoint}${port}${check.path}` };
}

export function regionEndpoints(config: EnvironmentConfig, regions: readonly string[]): RegionEndpoint[] {
  return regions.map((r) => regionEndpoint(config, r));
}
