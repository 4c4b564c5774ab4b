import { RELAXED_RPO_GUARD_SECONDS } from "../../components/auroraSettings";
import type { EnvironmentConfig } from "../../components/config";
import type { Step } from "./steps";

/**
 * The managed-RPO guard (`rds.global_db_rpo`) after the writer moves. Aurora blocks commits on the
 * writer while every secondary lags past the guard, and a secondary that cannot be reached lags
 * without bound: a writer left with no reachable secondary (the old primary's region is down in a
 * two-region environment) would refuse every write. The guard is relaxed on such a writer and
 * restored, on every region where it was relaxed, once the writer has a reachable secondary again.
 */

export { RELAXED_RPO_GUARD_SECONDS };

/** Reachable secondaries the guard needs: with none, every secondary lags without bound. */
export const MIN_SECONDARIES_FOR_RPO_GUARD = 1;

export interface RpoGuardInput {
  readonly config: EnvironmentConfig;
  /** The writer once the move in hand is done. */
  readonly writer: string;
  /** Regions reachable and connected to the global database, the writer included or not. */
  readonly reachable: readonly string[];
  /** Regions whose guard is relaxed now (the operational state's record). */
  readonly relaxed: readonly string[];
}

export type RpoGuardDecision =
  | { readonly action: "relax"; readonly region: string; readonly seconds: number; readonly reason: string }
  | {
      readonly action: "restore";
      readonly regions: readonly string[];
      readonly seconds: number;
      readonly reason: string;
    }
  | { readonly action: "none"; readonly reason: string };

/** The configured guard, or null when the environment has none (only aurora-postgresql can). */
export function configuredRpoGuard(config: EnvironmentConfig): number | null {
  return config.database.engine === "aurora-postgresql" && config.database.rpoSeconds !== undefined
    ? config.database.rpoSeconds
    : null;
}

export function decideRpoGuard(input: RpoGuardInput): RpoGuardDecision {
  const guard = configuredRpoGuard(input.config);
  if (guard === null) return { action: "none", reason: "no managed-RPO guard is configured" };
  const members = new Set(input.config.regions.map((r) => r.region));
  const secondaries = input.reachable.filter((r) => r !== input.writer && members.has(r));
  const enough = secondaries.length >= MIN_SECONDARIES_FOR_RPO_GUARD;
  if (!enough) {
    if (input.relaxed.includes(input.writer)) {
      return { action: "none", reason: `the guard on ${input.writer} is already relaxed` };
    }
    return {
      action: "relax",
      region: input.writer,
      seconds: RELAXED_RPO_GUARD_SECONDS,
      reason: `${input.writer} would have no reachable secondary, and every commit would wait on one`,
    };
  }
  // Only a reachable region's guard can be restored: an impaired region's API is never called.
  const restorable = input.relaxed.filter((r) => members.has(r) && input.reachable.includes(r));
  if (restorable.length === 0) {
    return {
      action: "none",
      reason:
        input.relaxed.length === 0
          ? `${input.writer} has ${secondaries.length} reachable secondary(ies); the guard stays as configured`
          : `the relaxed regions (${input.relaxed.join(", ")}) are not reachable yet`,
    };
  }
  return {
    action: "restore",
    regions: [...restorable].sort(),
    seconds: guard,
    reason: `${input.writer} has ${secondaries.length} reachable secondary(ies) again (${secondaries.join(", ")})`,
  };
}

/** The steps that carry a decision out; none for `none`. */
export function rpoGuardSteps(prefix: string, decision: RpoGuardDecision): Step[] {
  switch (decision.action) {
    case "none":
      return [];
    case "relax":
      return [
        {
          id: `${prefix}/rpo-guard/${decision.region}`,
          kind: "rpoGuard",
          description: `relax the managed-RPO guard on ${decision.region}: ${decision.reason}`,
          region: decision.region,
          seconds: decision.seconds,
          relaxed: true,
        },
      ];
    case "restore":
      return decision.regions.map((region) => ({
        id: `${prefix}/rpo-guard/${region}`,
        kind: "rpoGuard",
        description: `restore the managed-RPO guard on ${region} to ${decision.seconds} s: ${decision.reason}`,
        region,
        seconds: decision.seconds,
        relaxed: false,
      }));
  }
}
