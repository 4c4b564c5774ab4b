import type { Ports } from "../ports";
import type { InvariantChecker } from "./invariants";
import type { SimCloud } from "./simCloud";
import { SimGlobalDatabase } from "./simDatabase";
import { SimHealthSource } from "./simHealthSource";
import { SimMetricsSource } from "./simMetricsSource";
import { SimStackEngine } from "./simStackEngine";
import { SimStateStore } from "./simStateStore";
import { SimSyncJobs } from "./simSyncJobs";
import { ARC_FLIP_SECONDS, SimTrafficControl } from "./simTrafficControl";

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
    (sample, vantage, answeredAtMs) => {
      checker.observe(sample);
      checker.probes.record(sample, vantage, answeredAtMs);
    },
  );
  // With ARC the records answer to the routing controls, every serving region on at the start.
  let traffic: SimTrafficControl | undefined;
  if (cloud.config.dns.control === "arc") {
    traffic = new SimTrafficControl(cloud.regions, cloud.clock, {
      callSeconds: ARC_FLIP_SECONDS,
      onChange: (states) =>
        cloud.routingControlsChanged([...states].filter(([, v]) => v === "on").map(([r]) => r)),
    });
    cloud.routingControlsChanged(traffic.onRegions());
  }
  return {
    ...(traffic === undefined ? {} : { traffic }),
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
