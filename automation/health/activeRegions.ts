import { type EnvironmentConfig, regionPriority } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { type HealthView, regionAvailable } from "./healthView";

/**
 * The active regions: those in traffic and under stack management
 * and healthy, the writer first, then by priority, then in config order.
 */
export function getActiveRegions(
  config: EnvironmentConfig,
  state: OperationalState,
  view: HealthView,
): string[] {
  const order = new Map(config.regions.map((r, i) => [r.region, i]));
  return config.regions
    .map((r) => r.region)
    .filter((region) => {
      const rs = state.regions[region];
      return rs !== undefined && !rs.drained && !rs.excluded && regionAvailable(view, region);
    })
    .sort(
      (a, b) =>
        Number(b === state.writer) - Number(a === state.writer) ||
        regionPriority(config, a, state.writer) - regionPriority(config, b, state.writer) ||
        (order.get(a) ?? 0) - (order.get(b) ?? 0),
    );
}
