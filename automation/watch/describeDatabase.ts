import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { getActiveRegions } from "../health/activeRegions";
import { type HealthView, regionAvailable } from "../health/healthView";
import type { GlobalClusterView, GlobalDatabase } from "../ports";

/**
 * The global database as seen through the first healthy region that answers: the writer's when it
 * is up, then the active regions in order, then a flapping one that answers now, then one failing
 * only partly (a degradation). A region down outright is never called.
 */
export async function describeThroughHealthy(
  config: EnvironmentConfig,
  state: OperationalState,
  view: HealthView,
  database: GlobalDatabase,
  notes: string[],
): Promise<GlobalClusterView | null> {
  const order = [
    state.writer,
    ...getActiveRegions(config, state, view),
    ...config.regions.map((r) => r.region),
  ];
  // A region held out for flapping but answering now comes last: it may be the only region left
  // to describe the database through (and the only failover target).
  const unique = [...new Set(order)];
  const vias = [
    ...unique.filter((r) => regionAvailable(view, r)),
    ...unique.filter((r) => view[r]?.healthy === true && view[r]?.heldOut === true),
    // Then one failing only partly: its control plane answers, and it may be the last target.
    ...unique.filter((r) => view[r]?.healthy === false && view[r]?.partlyFailing === true),
  ];
  for (const via of vias) {
    try {
      return await database.describe(via);
    } catch (err) {
      notes.push(
        `describing the global database through ${via} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (vias.length === 0) notes.push("no healthy region to describe the global database through");
  return null;
}
