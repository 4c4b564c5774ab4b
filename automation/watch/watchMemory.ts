import type { HealthSample } from "../ports";
import type { HealthSettings } from "../health/settings";
import { type HealthEvent, type HealthTracker, initialTracker, observeSamples } from "../health/tracker";
import type { ResyncMemory } from "../plans/replication";

/**
 * What the watcher remembers between ticks, as one immutable value: decide takes it and returns
 * the next one, so a tick is replayable from its inputs.
 */
export interface WatchMemory {
  /** Per-region verdicts, probe windows and streaks. */
  readonly tracker: HealthTracker;
  /** When each replication problem was first seen (for the resync grace). */
  readonly resync: ResyncMemory;
  /** When the replication of the global database was last checked (ms). */
  readonly lastDatabaseCheck: number;
  /** Operation ids made so far, so ids stay unique within a second. */
  readonly sequence: number;
}

export function initialMemory(regions: readonly string[], now: number): WatchMemory {
  return {
    tracker: initialTracker(regions, now),
    resync: {},
    lastDatabaseCheck: Number.NEGATIVE_INFINITY,
    sequence: 0,
  };
}

/** Folds one round of samples into the memory. */
export function rememberSamples(
  memory: WatchMemory,
  samples: readonly HealthSample[],
  settings: HealthSettings,
): { readonly memory: WatchMemory; readonly events: readonly HealthEvent[] } {
  const observed = observeSamples(memory.tracker, samples, settings);
  return { memory: { ...memory, tracker: observed.tracker }, events: observed.events };
}

/** Forget when the database was checked, so the next tick looks at its members again. */
export function recheckDatabase(memory: WatchMemory): WatchMemory {
  return { ...memory, lastDatabaseCheck: Number.NEGATIVE_INFINITY };
}

/** A fresh operation id (`failover-20260101T000000Z-3`) and the memory that counted it. */
export function nextOperationId(
  memory: WatchMemory,
  kind: string,
  now: number,
): { readonly id: string; readonly memory: WatchMemory } {
  const sequence = memory.sequence + 1;
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return { id: `${kind}-${stamp}-${sequence}`, memory: { ...memory, sequence } };
}
