import { type EnvironmentConfig, regionPriority } from "../../components/config";
import type { OperationalState, RegionState } from "../../components/operationalState";

/**
 * The order a release moves through the regions: by failover priority (then config order), with
 * the writer last, so the region that takes the writes is touched only after every other region
 * proved the version healthy.
 */
export function rolloutOrder(config: EnvironmentConfig, state: OperationalState): string[] {
  const index = new Map(config.regions.map((r, i) => [r.region, i]));
  const byPriority = (a: string, b: string): number =>
    regionPriority(config, a, state.writer) - regionPriority(config, b, state.writer) ||
    (index.get(a) ?? 0) - (index.get(b) ?? 0);
  const others = config.regions
    .map((r) => r.region)
    .filter((r) => r !== state.writer)
    .sort(byPriority);
  return [...others, state.writer];
}

/**
 * Splits regions into waves of `maxParallel`. The writer always gets a wave of its own, last, so
 * a bad version never reaches it in the same update as a secondary.
 */
export function waves(order: readonly string[], writer: string, maxParallel: number): string[][] {
  const others = order.filter((r) => r !== writer);
  const result: string[][] = [];
  for (let i = 0; i < others.length; i += maxParallel) {
    result.push(others.slice(i, i + maxParallel));
  }
  if (order.includes(writer)) {
    result.push([writer]);
  }
  return result;
}

/**
 * The canary region: the secondary a failover would choose last. Failover prefers the lowest
 * priority number, then the first in config order, so the canary is the highest priority number,
 * then the last in config order. A failover then never promotes the region running the canary
 * while another region can take the writer. It is never the writer.
 */
export function canaryRegion(
  config: EnvironmentConfig,
  state: OperationalState,
  candidates: readonly string[],
): string {
  const secondaries = config.regions
    .map((r) => r.region)
    .filter((r) => r !== state.writer && candidates.includes(r));
  if (secondaries.length === 0) {
    return state.writer;
  }
  // `>=` keeps the later region on a tie: config order reversed, as failover preference is.
  return secondaries.reduce((least, r) =>
    regionPriority(config, r, state.writer) >= regionPriority(config, least, state.writer) ? r : least,
  );
}

/** Whether a region already serves `version` from its active colour, with no canary split. */
export function servesVersion(region: RegionState, version: string): boolean {
  return (
    region.version === version &&
    region.slots[region.activeColor]?.version === version &&
    region.canaryWeight === null
  );
}

export function otherColor(color: RegionState["activeColor"]): RegionState["activeColor"] {
  return color === "blue" ? "green" : "blue";
}
