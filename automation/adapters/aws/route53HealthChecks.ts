import {
  GetHealthCheckStatusCommand,
  type HealthCheckObservation,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { RegionEndpoint } from "../../ports";
import type { CheckerFractions } from "../http/healthSource";
import { declareActions } from "./awsActions";

export const ROUTE53_HEALTH_ACTIONS = declareActions("route53-health-checks", "route53", [
  "GetHealthCheckStatus",
]);

/**
 * The fraction of Route 53's checkers that currently report an observation as healthy. Route 53
 * reports each checker's last result as a status line starting with "Success" or "Failure".
 * Null when no checker has reported yet.
 */
export function checkerFraction(observations: readonly HealthCheckObservation[]): number | null {
  const reports = observations.filter((o) => o.StatusReport?.Status !== undefined);
  if (reports.length === 0) return null;
  const healthy = reports.filter((o) => o.StatusReport?.Status?.startsWith("Success") === true).length;
  return healthy / reports.length;
}

export class Route53UnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `Route 53 GetHealthCheckStatus failed for every region: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "Route53UnavailableError";
  }
}

/**
 * Route 53's view of each region, for `createHealthSource({ checkers })`. Regions without a health
 * check id get null. One failing call makes that region's fraction null; when every call fails the
 * whole lookup rejects, so the samples say the Route 53 API is down and the probes decide alone.
 */
export function route53CheckerFractions(client: Route53Client): CheckerFractions {
  return async (regions: readonly RegionEndpoint[], signal?: AbortSignal) => {
    const checked = regions.filter((r) => r.healthCheckId !== undefined);
    const results = await Promise.allSettled(
      checked.map(async (r) => {
        const out = await client.send(new GetHealthCheckStatusCommand({ HealthCheckId: r.healthCheckId }), {
          abortSignal: signal,
        });
        return checkerFraction(out.HealthCheckObservations ?? []);
      }),
    );
    const firstFailure = results.find((r) => r.status === "rejected");
    if (checked.length > 0 && results.every((r) => r.status === "rejected") && firstFailure !== undefined) {
      throw new Route53UnavailableError(firstFailure.reason);
    }
    const fractions = new Map<string, number | null>(regions.map((r) => [r.region, null]));
    checked.forEach((r, i) => {
      const res = results[i];
      fractions.set(r.region, res.status === "fulfilled" ? res.value : null);
    });
    return fractions;
  };
}
