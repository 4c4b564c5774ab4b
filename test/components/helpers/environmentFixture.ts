import { AWS_REGIONS, type EnvironmentConfig, parseConfig } from "../../../components/config";
import { type OperationalState, initialState } from "../../../components/operationalState";
import type { Json } from "../mockRuntime";

/**
 * Raw environment configs (as users write them, before validation) for tests. Region entries are
 * derived from the region name, so any 2 to 11 of AWS_REGIONS make a valid environment.
 */

/** Raw configs are patched freely by tests, including into invalid shapes. */
export type RawConfig = Record<string, Json>;

/** Regions in the order tests use them: the three first, then the rest of AWS_REGIONS. */
export const TEST_REGIONS: readonly string[] = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  ...AWS_REGIONS.filter((r) => !["us-east-1", "us-west-2", "eu-west-1"].includes(r)),
];

export function rawRegion(region: string, index: number): RawConfig {
  const hex = (n: number) => n.toString(16).padStart(4, "0");
  return {
    region,
    endpoint: `app.${region}.dev.example.com`,
    vpcId: `vpc-0a1b2c3d4e5f6${hex(index)}`,
    subnetIds: [`subnet-0a1b2c3d4e5${hex(index)}01`, `subnet-0a1b2c3d4e5${hex(index)}02`],
    kubeContext: `dev-${region}`,
    clusterName: `dev-${region}`,
    clusterSecurityGroupId: `sg-0c1d2e3f4a5b6${hex(index)}`,
    certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-00000000${hex(index)}`,
  };
}

export interface FixtureOptions {
  /** How many of TEST_REGIONS the environment spans. Default 3. */
  readonly regionCount?: number;
  readonly writer?: string;
  readonly routing?: "failover" | "latency" | "weighted";
}

/** The dev environment, with the given number of regions. */
export function rawConfig(options: FixtureOptions = {}): RawConfig {
  const regions = TEST_REGIONS.slice(0, options.regionCount ?? 3);
  return {
    awsRegion: "us-east-1",
    environment: "dev",
    writer: options.writer ?? regions[0],
    regions: regions.map(rawRegion),
    database: {
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      instanceClass: "db.r6g.large",
      instances: 2,
      backupRetentionDays: 7,
      deletionProtection: true,
      rpoSeconds: 20,
    },
    dns: {
      zoneId: "Z0123456789ABCDEFGHIJ",
      name: "app.dev.example.com",
      routing: options.routing ?? "failover",
      ttl: 60,
      healthCheck: { path: "/health", intervalSeconds: 10, failureThreshold: 3 },
    },
    app: { image: "registry.example.com/shop/web", version: "1.0.0", replicas: 3, port: 8080 },
    sync: { schedule: "*/5 * * * *", batchSize: 1000, image: "registry.example.com/shop/sync" },
    release: {
      strategy: "canary",
      healthTimeoutSeconds: 300,
      rollbackErrorRate: 0.2,
      canarySteps: [10, 50, 100],
      bakeSeconds: 300,
    },
    failover: { mode: "auto", failureThreshold: 3 },
  };
}

/** A deep copy of the raw config with `patch` applied to it. */
export function withPatch(patch: (c: RawConfig) => void, base: RawConfig = rawConfig()): RawConfig {
  const copy = structuredClone(base);
  patch(copy);
  return copy;
}

export function validConfig(options: FixtureOptions = {}): EnvironmentConfig {
  return parseConfig(rawConfig(options));
}

/** The state the controller stores after moving the writer (a switchover or failover) to `writer`. */
export function stateWithWriter(config: EnvironmentConfig, writer: string): OperationalState {
  const state = initialState(config);
  const sync = Object.fromEntries(
    config.regions
      .filter((r) => r.region !== writer)
      .map((r) => [r.region, { lastSync: null, status: "idle" as const, lastError: null, nextRunAt: null }]),
  );
  return { ...state, revision: 7, writer, sync };
}
