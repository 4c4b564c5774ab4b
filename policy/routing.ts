import { known, prop } from "./known";

/** A Route 53 record's routing policy, from whichever `*RoutingPolicies` block it sets. */
export type RoutingKind = "failover" | "latency" | "weighted";

export function routingKindOf(props: Record<string, unknown>): RoutingKind | undefined {
  if (hasEntries(props, "failoverRoutingPolicies")) return "failover";
  if (hasEntries(props, "latencyRoutingPolicies")) return "latency";
  if (hasEntries(props, "weightedRoutingPolicies")) return "weighted";
  return undefined;
}

/** `PRIMARY` or `SECONDARY` for a failover record. */
export function failoverRoleOf(props: Record<string, unknown>): string | undefined {
  const role = known(() => (props.failoverRoutingPolicies as { type?: unknown }[] | undefined)?.[0]?.type);
  return typeof role === "string" ? role : undefined;
}

/** Whether the record names a health check (possibly one whose id is not known until it exists). */
export function hasHealthCheck(props: Record<string, unknown>): boolean {
  const id = prop(props, "healthCheckId");
  return id.state === "pending" || (id.state === "known" && typeof id.value === "string" && id.value !== "");
}

/**
 * An alias record with `evaluateTargetHealth` takes its health from its target, which is how a
 * failover SECONDARY alias to a latency-routed set of health-checked records is watched.
 */
export function evaluatesTargetHealth(props: Record<string, unknown>): boolean {
  const aliases = known(() => props.aliases as { evaluateTargetHealth?: unknown }[] | undefined);
  return (
    Array.isArray(aliases) &&
    aliases.length > 0 &&
    aliases.every((a) => known(() => a.evaluateTargetHealth) === true)
  );
}

function hasEntries(props: Record<string, unknown>, key: string): boolean {
  const p = prop(props, key);
  return p.state === "pending" || (p.state === "known" && Array.isArray(p.value) && p.value.length > 0);
}
