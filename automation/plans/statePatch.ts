import type { OperationalState, RegionState } from "../../components/operationalState";
import type { StatePatch } from "./steps";

/**
 * Applies a plan's state patch. Patches carry absolute values computed when the plan was made, so
 * applying one twice gives the same document: that is what makes a resumed `patchState` safe.
 */
export function applyStatePatch(state: OperationalState, patch: StatePatch): OperationalState {
  const regions: Record<string, RegionState> = { ...state.regions };
  for (const [region, change] of Object.entries(patch.regions ?? {})) {
    const current = regions[region];
    if (current === undefined) {
      throw new Error(`state patch names region ${region}, which the operational state does not have`);
    }
    regions[region] = { ...current, ...change };
  }
  return { ...state, writer: patch.writer ?? state.writer, regions };
}
