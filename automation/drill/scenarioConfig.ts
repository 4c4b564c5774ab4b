import { type EnvironmentConfig, validateConfig } from "../../components/config";
import { route53IntervalSeconds } from "./route53Interval";
import type { Scenario, ScenarioProblem } from "./scenario";

/**
 * The environment config a scenario stands for. Everything the simulation does not care about gets
 * a plausible value, so the controller validates it exactly as it would a real stack file.
 */
export function scenarioRawConfig(
  s: Scenario,
  overrides: { version?: string; strategy?: string } = {},
): unknown {
  return {
    environment: "drill",
    writer: s.writer,
    regions: s.regions.map((region, i) => ({
      region,
      endpoint: `app.${region}.drill.example.com`,
      vpcId: `vpc-${(0x1000_0000 + i).toString(16).padStart(8, "0")}`,
      subnetIds: [
        `subnet-${(0xa000_0000 + 2 * i).toString(16)}`,
        `subnet-${(0xa000_0001 + 2 * i).toString(16)}`,
      ],
      kubeContext: `drill-${region}`,
      clusterName: `drill-${region}`,
      clusterSecurityGroupId: `sg-${(0x2000_0000 + i).toString(16)}`,
      certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001`,
    })),
    database: {
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      instanceClass: "db.r6g.large",
      ...(s.database.rpoSeconds === undefined ? {} : { rpoSeconds: s.database.rpoSeconds }),
    },
    dns: {
      zoneId: "Z0DRILL0000000000000",
      name: "app.drill.example.com",
      routing: s.routing,
      ttl: s.dnsTtlSeconds,
      control: s.dnsControl,
      healthCheck: {
        // The program's Route 53 checks; the drill's watcher ticks at the scenario's own interval.
        intervalSeconds: route53IntervalSeconds(s),
        failureThreshold: s.healthCheck.failureThreshold,
        timeoutSeconds: s.healthCheck.timeoutSeconds,
      },
    },
    app: { image: "registry.example.com/app", version: overrides.version ?? s.initialVersion },
    sync: { image: "registry.example.com/sync" },
    release: { ...s.release, ...(overrides.strategy === undefined ? {} : { strategy: overrides.strategy }) },
    failover: { ...s.failover, failureThreshold: s.healthCheck.failureThreshold },
    stateStore: { kind: "file", directory: ".regionctl" },
  };
}

/** Config problems, renamed to the scenario field they came from. */
export function scenarioConfig(
  s: Scenario,
  overrides: { version?: string; strategy?: string } = {},
): { config: EnvironmentConfig } | { problems: ScenarioProblem[] } {
  const result = validateConfig(scenarioRawConfig(s, overrides));
  if (result.ok) return { config: result.config };
  return {
    problems: result.issues.map((i) => ({
      path: i.path
        // The scenario sets one threshold, in healthCheck, for Route 53 and the controller alike.
        .replace(/^regionctl:failover\.failureThreshold/, "healthCheck.failureThreshold")
        .replace(/^regionctl:(release|failover)/, "$1")
        .replace(/^regionctl:dns\.healthCheck/, "healthCheck")
        .replace(/^regionctl:dns\.ttl/, "dnsTtlSeconds"),
      message: i.message,
    })),
  };
}
