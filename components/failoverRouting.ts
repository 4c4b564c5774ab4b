import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { EnvironmentConfig } from "./config";
import { type DnsRecordSpec, planDnsRecords } from "./dnsRecords";
import { healthCheckSpec } from "./healthCheckSpec";
import type { EnvironmentPlan } from "./topology";

export interface FailoverRoutingArgs {
  /** Plain data, not Inputs: the plan decides which records exist. */
  readonly plan: EnvironmentPlan;
  readonly dns: EnvironmentConfig["dns"];
  /**
   * The health checks the records answer to, by region (the RECOVERY_CONTROL checks of ARC routing
   * controls). Default: the HTTPS checks made here, which exist either way for the controller to read.
   */
  readonly recordHealthCheckIds?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Route 53 for the environment: one HTTPS health check per region and the records the routing
 * mode needs (see dnsRecords.ts). Pass the global AWS provider in `providers`: the Route 53 API is
 * global, so these resources belong to no region and survive any region's outage.
 */
export class FailoverRouting extends pulumi.ComponentResource {
  /** Health check id by region. */
  readonly healthCheckIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** Record FQDNs, one entry per record (a name repeats for each set identifier). */
  readonly recordNames: pulumi.Output<string[]>;

  constructor(name: string, args: FailoverRoutingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const { plan, dns } = args;
    if (plan.regions.length === 0) {
      throw new Error(`${name}: plan.regions is empty`);
    }
    super("regionctl:index:FailoverRouting", name, {}, opts);

    const healthChecks = new Map<string, aws.route53.HealthCheck>();
    for (const r of plan.regions) {
      healthChecks.set(
        r.region,
        new aws.route53.HealthCheck(
          `${r.region}-${name}-health`,
          {
            ...healthCheckSpec(r.endpoint, dns.healthCheck),
            tags: { Name: `${plan.environment}-${r.region}` },
          },
          { parent: this },
        ),
      );
    }

    const recordChecks = new Map<string, pulumi.Input<string>>(
      [...healthChecks].map(([region, hc]) => [region, args.recordHealthCheckIds?.[region] ?? hc.id]),
    );
    // Route 53 rejects an alias whose target record set does not exist yet, so endpoint records
    // are registered first and every alias depends on the records it names.
    const specs = planDnsRecords(plan, dns);
    const byName = new Map<string, aws.route53.Record[]>();
    const endpointRecords = specs
      .filter((spec) => spec.target.kind === "endpoint")
      .map((spec) => {
        const record = this.record(name, spec, dns, recordChecks, []);
        byName.set(spec.name, [...(byName.get(spec.name) ?? []), record]);
        return record;
      });
    const aliasRecords = specs.flatMap((spec) =>
      spec.target.kind === "alias"
        ? [this.record(name, spec, dns, recordChecks, aliasTargets(name, spec.target.name, byName))]
        : [],
    );
    const records = [...endpointRecords, ...aliasRecords];

    this.healthCheckIds = Object.fromEntries([...healthChecks].map(([region, hc]) => [region, hc.id]));
    this.recordNames = pulumi.all(records.map((r) => r.fqdn));
    this.registerOutputs({ healthCheckIds: this.healthCheckIds, recordNames: this.recordNames });
  }

  private record(
    name: string,
    spec: DnsRecordSpec,
    dns: EnvironmentConfig["dns"],
    healthChecks: ReadonlyMap<string, pulumi.Input<string>>,
    dependsOn: readonly aws.route53.Record[],
  ): aws.route53.Record {
    const resourceName = spec.region === null ? `${name}-${spec.key}` : `${spec.region}-${name}-${spec.key}`;
    const policy = spec.policy;
    const checkOf = (region: string): pulumi.Input<string> => {
      const hc = healthChecks.get(region);
      if (hc === undefined) {
        throw new Error(`${name}: record ${spec.key} targets region ${region}, which has no health check`);
      }
      return hc;
    };
    const target =
      spec.target.kind === "endpoint"
        ? { ttl: dns.ttl, records: [spec.target.endpoint], healthCheckId: checkOf(spec.target.region) }
        : { aliases: [{ name: spec.target.name, zoneId: dns.zoneId, evaluateTargetHealth: true }] };
    return new aws.route53.Record(
      resourceName,
      {
        zoneId: dns.zoneId,
        name: spec.name,
        type: "CNAME",
        setIdentifier: spec.setIdentifier,
        failoverRoutingPolicies: policy.kind === "failover" ? [{ type: policy.role }] : undefined,
        latencyRoutingPolicies: policy.kind === "latency" ? [{ region: policy.region }] : undefined,
        weightedRoutingPolicies: policy.kind === "weighted" ? [{ weight: policy.weight }] : undefined,
        ...target,
      },
      { parent: this, dependsOn: [...dependsOn] },
    );
  }
}

function aliasTargets(
  name: string,
  target: string,
  byName: ReadonlyMap<string, readonly aws.route53.Record[]>,
): aws.route53.Record[] {
  const records = byName.get(target);
  if (records === undefined || records.length === 0) {
    throw new Error(`${name}: alias to ${target}, which has no records`);
  }
  return [...records];
}
