import type { Clock } from "../../../automation/ports";
import { SimStateStore } from "../../../automation/drill/simStateStore";
import { EffectLog, MemoryStateStore } from "../../support/memoryPorts";
import { stateStoreContract } from "./stateStoreContract";

/**
 * The in-memory stores answer to the same contract as the real ones. A "place" is one store
 * object: JavaScript runs one call at a time, so two openers sharing it behave as two processes
 * sharing a file whose every operation is atomic.
 */
function inMemoryHarness<S>(create: (clock: Clock) => S) {
  const places = new Map<string, S>();
  let next = 0;
  return {
    newPlace: async () => `place-${++next}`,
    open: (place: string, now: () => number) => {
      const existing = places.get(place);
      if (existing !== undefined) return existing;
      // The contract moves time by hand; a store that slept would be waiting on nothing.
      const store = create({ now, sleep: () => Promise.reject(new Error("the contract never sleeps")) });
      places.set(place, store);
      return store;
    },
  };
}

stateStoreContract(
  "SimStateStore",
  inMemoryHarness((clock) => new SimStateStore(clock)),
);

stateStoreContract(
  "MemoryStateStore",
  inMemoryHarness((clock) => new MemoryStateStore(clock, new EffectLog(clock))),
);
