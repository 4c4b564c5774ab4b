import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { type ArcClusterEndpoint, ArcRoutingControls } from "./arcRoutingControls";
import { AuroraGlobalDatabase } from "./auroraGlobalDatabase";
import { databaseSecretName, enginePort } from "./auroraSettings";
import type { EnvironmentConfig } from "./config";
import { DatabaseSecret } from "./databaseSecret";
import { FailoverRouting } from "./failoverRouting";
import type { OperationalState } from "./operationalState";
import { RegionStack } from "./regionStack";
import { planTopology } from "./topology";

export interface RegionOutputs {
  readonly role: "writer" | "secondary";
  readonly endpoint: string;
  readonly healthCheckId: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  /** With the region among `controlPlane.watchers`: its watcher's IAM role (for EKS access entries). */
  readonly watcherRoleArn?: pulumi.Output<string>;
}

export interface EnvironmentOutputs {
  readonly environment: string;
  readonly writer: string;
  readonly routing: EnvironmentConfig["dns"]["routing"];
  readonly dnsName: string;
  readonly globalClusterId: pulumi.Output<string>;
  readonly writerEndpoint: pulumi.Output<string>;
  readonly databaseSecretArn: pulumi.Output<string>;
  readonly regions: Readonly<Record<string, RegionOutputs>>;
  /** With `dns.control: arc`: what the controller needs to flip routing controls. */
  readonly arc?: ArcOutputs;
}

export interface ArcOutputs {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterEndpoints: pulumi.Output<ArcClusterEndpoint[]>;
  readonly controlPanelArn: pulumi.Output<string>;
  readonly routingControlArns: Readonly<Record<string, pulumi.Output<string>>>;
}

/** The ARC control-configuration API is served from this region only. */
export const ARC_CONTROL_CONFIG_REGION = "us-west-2";

/**
 * The region of the global provider (global cluster, database secret, Route 53): `aws:region`, else
 * the configured writer. It must not follow the operational writer: moving a resource to another
 * provider replaces it.
 */
export function globalRegion(config: EnvironmentConfig): string {
  return config.awsRegion ?? config.writer;
}

/**
 * Builds the whole environment from the validated config and the operational state (null for a new
 * environment). RegionStacks and the global components are top-level resources of the stack.
 */
export function buildEnvironment(
  config: EnvironmentConfig,
  state: OperationalState | null,
): EnvironmentOutputs {
  const plan = planTopology(config, state);
  const home = globalRegion(config);

  const globalProvider = new aws.Provider("global-aws", {
    region: home as aws.Region,
    defaultTags: { tags: { "regionctl:environment": config.environment, "managed-by": "regionctl" } },
  });
  const global = { providers: [globalProvider] };

  const database = new AuroraGlobalDatabase(
    "global-db",
    {
      globalClusterIdentifier: plan.globalClusterIdentifier,
      engine: config.database.engine,
      engineVersion: config.database.engineVersion,
      deletionProtection: config.database.deletionProtection,
    },
    global,
  );

  // After a detach-and-promote failover the writer is a standalone cluster: the apps and sync jobs
  // name its own endpoint, never the global one, which still names the old writer.
  const writerEndpoint: pulumi.Output<string> =
    plan.writerEndpoint.kind === "detached"
      ? pulumi.output(plan.writerEndpoint.endpoint)
      : database.writerEndpoint;

  const secretName = databaseSecretName(config.environment);
  // The secret is encrypted with the regions' own keys, so it is made after the region stacks;
  // their pods' IAM policies take its ARN once it exists.
  const [secretArn, resolveSecretArn] = pulumi.deferredOutput<string>();
  const stacks: RegionStack[] = [];
  // The plan lists the writer first, so every secondary can depend on the primary's members.
  for (const regionPlan of plan.regions) {
    const region = config.regions.find((r) => r.region === regionPlan.region);
    if (region === undefined) {
      throw new Error(`topology names region ${regionPlan.region}, which the config does not list`);
    }
    const primary = stacks.find((s) => s.role === "writer");
    stacks.push(
      new RegionStack(regionPlan.region, {
        plan: regionPlan,
        region,
        config,
        globalClusterIdentifier: database.globalClusterId,
        masterUsername: database.masterUsername,
        masterPassword: database.masterPassword,
        writerEndpoint,
        databaseSecretName: secretName,
        databaseSecretArn: secretArn,
        primaryMembers: regionPlan.role === "secondary" ? primary?.database.members : undefined,
      }),
    );
  }

  const homeStack = stacks.find((s) => s.region === home);
  const secret = new DatabaseSecret(
    "global-db-secret",
    {
      secretName,
      engine: config.database.engine,
      username: database.masterUsername,
      password: database.masterPassword,
      port: enginePort(config.database.engine),
      kmsKeyArn: homeStack?.kmsKeyArn,
      replicas: stacks
        .filter((s) => s.region !== home)
        .map((s) => ({ region: s.region, kmsKeyArn: s.kmsKeyArn })),
    },
    global,
  );
  resolveSecretArn(secret.secretArn);

  const arc = config.dns.control === "arc" ? arcRoutingControls(config, plan.regions) : undefined;
  const routing = new FailoverRouting(
    "dns",
    { plan, dns: config.dns, recordHealthCheckIds: arc?.healthCheckIds },
    global,
  );

  const regions: Record<string, RegionOutputs> = {};
  plan.regions.forEach((regionPlan, i) => {
    const stack = stacks[i];
    regions[regionPlan.region] = {
      role: regionPlan.role,
      endpoint: regionPlan.endpoint,
      healthCheckId: routing.healthCheckIds[regionPlan.region],
      clusterArn: stack.clusterArn,
      clusterEndpoint: stack.clusterEndpoint,
      readerEndpoint: stack.readerEndpoint,
      ...(stack.watcher === undefined ? {} : { watcherRoleArn: stack.watcher.roleArn }),
    };
  });

  return {
    environment: config.environment,
    writer: plan.writer,
    routing: plan.routing,
    dnsName: config.dns.name,
    globalClusterId: database.globalClusterId,
    writerEndpoint,
    databaseSecretArn: secret.secretArn,
    regions,
    ...(arc === undefined
      ? {}
      : {
          arc: {
            clusterArn: arc.clusterArn,
            clusterEndpoints: arc.clusterEndpoints,
            controlPanelArn: arc.controlPanelArn,
            routingControlArns: arc.routingControlArns,
          },
        }),
  };
}

function arcRoutingControls(
  config: EnvironmentConfig,
  regions: readonly { readonly region: string }[],
): ArcRoutingControls {
  const provider = new aws.Provider("arc-aws", {
    region: ARC_CONTROL_CONFIG_REGION,
    defaultTags: { tags: { "regionctl:environment": config.environment, "managed-by": "regionctl" } },
  });
  return new ArcRoutingControls("arc", { regions: regions.map((r) => r.region) }, { providers: [provider] });
}
