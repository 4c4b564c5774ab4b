import { type EnvironmentConfig, parseConfig } from "../../components/config";

/** Six regions, writer first; tests take the first 2, 3 or 6. */
export const SAMPLE_REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-2",
  "ap-northeast-1",
];

export interface SampleConfigOptions {
  readonly regions?: number;
  /** Raw `release` keys (before defaults). */
  readonly release?: Record<string, unknown>;
  /** Raw per-region priorities, by region name. */
  readonly priorities?: Readonly<Record<string, number | undefined>>;
  readonly version?: string;
  readonly writer?: string;
  readonly stateStore?: Record<string, unknown>;
  /** `dns.control`; default health-check. */
  readonly dnsControl?: "health-check" | "arc";
}

/** The raw config object (keys without the `regionctl:` namespace) of a valid test environment. */
export function sampleRawConfig(options: SampleConfigOptions = {}): Record<string, unknown> {
  const regions = SAMPLE_REGIONS.slice(0, options.regions ?? 3);
  return {
    environment: "test",
    writer: options.writer ?? regions[0],
    regions: regions.map((region) => ({
      region,
      endpoint: `app.${region}.test.example.com`,
      vpcId: "vpc-0123456789abcdef0",
      subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      kubeContext: `ctx-${region}`,
      clusterName: `ctx-${region}`,
      clusterSecurityGroupId: "sg-0123456789abcdef0",
      certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001`,
      ...(options.priorities?.[region] === undefined ? {} : { priority: options.priorities[region] }),
    })),
    database: { engine: "aurora-postgresql", engineVersion: "16.4", instanceClass: "db.r6g.large" },
    dns: {
      zoneId: "Z0123456789ABCDEFGHIJ",
      name: "app.test.example.com",
      ...(options.dnsControl === undefined ? {} : { control: options.dnsControl }),
    },
    app: { image: "registry.example.com/app", version: options.version ?? "1.0.0" },
    sync: { image: "registry.example.com/sync:1" },
    release: options.release ?? {},
    stateStore: options.stateStore ?? { kind: "file", directory: ".regionctl" },
  };
}

export function sampleConfig(options: SampleConfigOptions = {}): EnvironmentConfig {
  return parseConfig(sampleRawConfig(options));
}
