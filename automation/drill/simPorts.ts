import type { Ports } from "../ports";
import type { InvariantChecker } from "./invariants";
import type { SimCloud } from "./simCloud";
import { SimGlobalDatabase } from "./simDatabase";
import { SimHealthSource } from "./simHealthSource";
import { SimMetricsSource } from "./simMetricsSource";
import { SimStackEngine } from "./simStackEngine";
import { SimStateStore } from "./simStateStore";
import { SimSyncJobs } from "./simSyncJobs";

export interface SimPorts extends Ports {
  readonly state: SimStateStore;
  readonly stack: SimStackEngine;
  readonly database: SimGlobalDatabase;
  readonly health: SimHealthSource;
}

/** Every port, simulated over one SimCloud, with the invariant checker watching the writes. */
export function simulatedPorts(
  cloud: SimCloud,
  database: SimGlobalDatabase,
  checker: InvariantChecker,
  hooks: { onStateWrite?: (before: unknown, after: unknown) => void } = {},
): SimPorts {
  const s = cloud.scenario;
  const state = new SimStateStore(cloud.clock, (before, after) => {
    checker.onStateWrite(before, after);
    hooks.onStateWrite?.(before, after);
  });
  state.unavailable = () => cloud.placement.storeUnavailableReason();
  const stack = new SimStackEngine(
    cloud,
    state,
    database,
    { stackUpdateSeconds: s.simulation.stackUpdateSeconds, stackNoopSeconds: s.simulation.stackNoopSeconds },
    (info) => checker.onStackUpdate(state.peek(), info.regions),
  );
  const health = new SimHealthSource(
    cloud,
    {
      sequential: cloud.options.sequentialProbes,
      unboundedProbeSeconds: cloud.options.unboundedProbeSeconds,
    },
    (sample) => checker.observe(sample),
  );
  return {
    clock: cloud.clock,
    state,
    stack,
    health,
    metrics: new SimMetricsSource(cloud, s.simulation.requestsPerMinute),
    database,
    sync: new SimSyncJobs(cloud, database, s.simulation.syncSeconds),
    clusters: {
      describe: (region) => database.describeMember(region),
      setMasterPassword: (region) => database.setMasterPassword(region),
      setRpoGuard: (region, seconds) => database.setRpoGuard(region, seconds),
    },
  };
}

export { SimGlobalDatabase };
