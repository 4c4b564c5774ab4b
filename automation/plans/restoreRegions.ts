import { isDeepStrictEqual } from "node:util";
import type { OperationalState, RegionState } from "../../components/operationalState";

/**
 * What undoing a release puts back, as pure functions over the state: the restore step (a rollback)
 * and a failover that supersedes a stuck promotion share them, so both leave the same document.
 */

/** What a release changes. */
const RELEASE_FIELDS = ["version", "activeColor", "slots", "canaryWeight"] as const;
/** The fields that say a region moved. `excluded` is left alone: impairment is not the operation's to undo. */
const COMPARED = [...RELEASE_FIELDS, "drained"] as const;
/** What a restore puts back: the above, and the note explaining them. */
const RESTORED = [...COMPARED, "note"] as const;

/**
 * A region counts as moved while its state differs from `before`, or its release status shows the
 * operation touched it and it is not yet `rolledback` (so a retried restore runs again even though
 * the document already matches `before`).
 */
export function hasMoved(now: RegionState, before: RegionState): boolean {
  const differs = COMPARED.some((k) => !isDeepStrictEqual(now[k], before[k]));
  const touched = now.releaseStatus !== before.releaseStatus && now.releaseStatus !== "rolledback";
  return differs || touched;
}

/** The regions among `regions` that moved since `before`. */
export function movedRegions(
  state: OperationalState,
  before: Readonly<Record<string, RegionState>>,
  regions: readonly string[],
): string[] {
  return regions.filter(
    (r) => before[r] !== undefined && state.regions[r] !== undefined && hasMoved(state.regions[r], before[r]),
  );
}

/**
 * Puts `regions` back to `before`: the release fields always; drain and note too unless the region
 * is excluded (impaired meanwhile, e.g. failed over), whose drain and note stay as the failover set
 * them. Release statuses are left to the caller, which knows whether the stack followed.
 */
export function restoreInState(
  state: OperationalState,
  before: Readonly<Record<string, RegionState>>,
  regions: readonly string[],
): OperationalState {
  const next: Record<string, RegionState> = { ...state.regions };
  for (const r of regions) {
    const restored: RegionState = { ...next[r] };
    const keys = next[r].excluded ? RELEASE_FIELDS : RESTORED;
    for (const key of keys) Object.assign(restored, { [key]: before[r][key] });
    next[r] = restored;
  }
  return { ...state, regions: next };
}
