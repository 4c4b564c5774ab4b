import type { EnvironmentConfig } from "./config";
import type { EnvironmentPlan } from "./topology";

type DnsConfig = EnvironmentConfig["dns"];

/**
 * The Route 53 records an environment plan needs, as data. FailoverRouting renders them; tests
 * and the controller read them without Pulumi.
 *
 * Failover records are keyed by role (set identifiers `primary` and `secondary`), not by region:
 * moving the writer then updates the one PRIMARY record in place. Keying them by region would make
 * a switchover create a second PRIMARY before deleting the first, which Route 53 rejects.
 */

export type RecordPolicy =
  | { readonly kind: "failover"; readonly role: "PRIMARY" | "SECONDARY" }
  | { readonly kind: "latency"; readonly region: string }
  | { readonly kind: "weighted"; readonly weight: number };

export type RecordTarget =
  /** A CNAME to a region's endpoint, health-checked by that region's check. */
  | { readonly kind: "endpoint"; readonly region: string; readonly endpoint: string }
  /** An alias to another record set in the same zone (the secondaries' latency set). */
  | { readonly kind: "alias"; readonly name: string };

export interface DnsRecordSpec {
  /** Suffix of the Pulumi resource name; region-bound records are also prefixed with their region. */
  readonly key: string;
  /** The region this record belongs to, or null for role-keyed failover records. */
  readonly region: string | null;
  readonly name: string;
  readonly setIdentifier: string;
  readonly policy: RecordPolicy;
  readonly target: RecordTarget;
}

/** Name of the latency-routed set of secondaries behind a failover SECONDARY alias. */
export function secondarySetName(dnsName: string): string {
  return `secondaries.${dnsName}`;
}

export function planDnsRecords(plan: EnvironmentPlan, dns: DnsConfig): DnsRecordSpec[] {
  const endpointOf = (region: string, endpoint: string): RecordTarget => ({
    kind: "endpoint",
    region,
    endpoint,
  });
  if (plan.routing === "latency") {
    return plan.regions
      .filter((r) => r.serving)
      .map((r) => ({
        key: "latency",
        region: r.region,
        name: dns.name,
        setIdentifier: r.region,
        policy: { kind: "latency", region: r.region },
        target: endpointOf(r.region, r.endpoint),
      }));
  }
  if (plan.routing === "weighted") {
    return plan.regions.map((r) => ({
      key: "weighted",
      region: r.region,
      name: dns.name,
      setIdentifier: r.region,
      policy: { kind: "weighted", weight: r.dns.weight ?? 0 },
      target: endpointOf(r.region, r.endpoint),
    }));
  }

  const writer = plan.regions.find((r) => r.role === "writer");
  if (writer === undefined) {
    throw new Error(`topology has no writer region (writer ${plan.writer})`);
  }
  const records: DnsRecordSpec[] = [
    {
      key: "primary",
      region: null,
      name: dns.name,
      setIdentifier: "primary",
      policy: { kind: "failover", role: "PRIMARY" },
      target: endpointOf(writer.region, writer.endpoint),
    },
  ];
  const secondaries = plan.regions.filter((r) => r.role === "secondary" && r.serving);
  if (plan.secondaryLatencySet) {
    const setName = secondarySetName(dns.name);
    records.push({
      key: "secondary",
      region: null,
      name: dns.name,
      setIdentifier: "secondary",
      policy: { kind: "failover", role: "SECONDARY" },
      target: { kind: "alias", name: setName },
    });
    for (const r of secondaries) {
      records.push({
        key: "secondary",
        region: r.region,
        name: setName,
        setIdentifier: r.region,
        policy: { kind: "latency", region: r.region },
        target: endpointOf(r.region, r.endpoint),
      });
    }
  } else if (secondaries.length > 0) {
    const only = secondaries[0];
    records.push({
      key: "secondary",
      region: null,
      name: dns.name,
      setIdentifier: "secondary",
      policy: { kind: "failover", role: "SECONDARY" },
      target: endpointOf(only.region, only.endpoint),
    });
  }
  return records;
}
