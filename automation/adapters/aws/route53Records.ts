import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { declareActions } from "./awsActions";

/**
 * Route 53 record helpers. The stack owns the records; the controller only reads them (`regionctl
 * check --dns` shows where the application's name points and whether that matches the writer).
 * `changeRecordSets` is for tests and runbooks that must set records without the stack; the
 * controller never calls it, so it is not in the controller's IAM policy.
 */
export const ROUTE53_RECORD_ACTIONS = declareActions("route53-records", "route53", [
  "ListResourceRecordSets",
]);

/** Route 53 returns names fully qualified, with the trailing dot. */
export function fqdn(name: string): string {
  return name.endsWith(".") ? name.toLowerCase() : `${name.toLowerCase()}.`;
}

/** Every record set named `name` in the zone, across pages. */
export async function listRecordSets(
  client: Route53Client,
  zoneId: string,
  name: string,
  signal?: AbortSignal,
): Promise<ResourceRecordSet[]> {
  const wanted = fqdn(name);
  const found: ResourceRecordSet[] = [];
  let start: { name?: string; type?: string; id?: string } = { name: wanted };
  for (;;) {
    const out = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as ResourceRecordSet["Type"],
        StartRecordIdentifier: start.id,
      }),
      { abortSignal: signal },
    );
    const page = out.ResourceRecordSets ?? [];
    found.push(...page.filter((r) => fqdn(r.Name ?? "") === wanted));
    // Records come sorted by name: once a page runs past the name, nothing further matches.
    const pastName = page.some((r) => fqdn(r.Name ?? "") > wanted);
    if (out.IsTruncated !== true || pastName) return found;
    start = { name: out.NextRecordName, type: out.NextRecordType, id: out.NextRecordIdentifier };
  }
}

/** Applies changes as one batch; returns Route 53's change id. */
export async function changeRecordSets(
  client: Route53Client,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
): Promise<string> {
  const out = await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Comment: comment, Changes: [...changes] },
    }),
  );
  return out.ChangeInfo?.Id ?? "";
}

export interface RoutingView {
  /** Set identifier of the PRIMARY failover record, if any. */
  readonly primary: string | null;
  /** Weight per set identifier, for weighted records. */
  readonly weights: Readonly<Record<string, number>>;
  /** Set identifier -> health check id. */
  readonly healthChecks: Readonly<Record<string, string>>;
}

/** Where the records send clients, by set identifier (regionctl uses the region name). */
export function routingView(records: readonly ResourceRecordSet[]): RoutingView {
  let primary: string | null = null;
  const weights: Record<string, number> = {};
  const healthChecks: Record<string, string> = {};
  for (const r of records) {
    const id = r.SetIdentifier;
    if (id === undefined) continue;
    if (r.Failover === "PRIMARY") primary = id;
    if (r.Weight !== undefined) weights[id] = r.Weight;
    if (r.HealthCheckId !== undefined) healthChecks[id] = r.HealthCheckId;
  }
  return { primary, weights, healthChecks };
}
