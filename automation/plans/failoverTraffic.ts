import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { type HealthView, regionAvailable, unavailableReason } from "../health/healthView";
import type { GlobalClusterView } from "../ports";
import {
  RECOVERY_UPDATE_ATTEMPTS,
  RULES,
  checkServing,
  excludedRegions,
  memberOf,
  operationInFlight,
  refuse,
} from "./failoverSafety";
import { decideRpoGuard, rpoGuardSteps } from "./rpoGuard";
import type { Plan, Refusal, StatePatch, Step } from "./steps";
import { trafficFlip, usesArc } from "./trafficControl";

/**
 * Traffic moves the watcher makes on its own for secondaries: hold a flapping region out of
 * traffic for its cooldown (Route 53 alone would keep flipping it in and out), and readmit a region
 * the controller took out once it is healthy again and its database member is connected.
 *
 * A region is readmitted only when a note the controller wrote says why it is out; a region a
 * person drained stays drained.
 */
export const CONTROLLER_NOTES = ["failed:", "flapping:", "repairing:", "recovering:"] as const;

export function drainedByController(note: string | null): boolean {
  return note !== null && CONTROLLER_NOTES.some((p) => note.startsWith(p));
}

export function planHoldOut(
  config: EnvironmentConfig,
  state: OperationalState,
  region: string,
  until: number,
  id: string,
): Plan | Refusal {
  const at = new Date(until).toISOString();
  return planTakeOut(config, state, region, id, {
    stepPrefix: "holdout",
    whyNotWriter: "a flapping writer is moved only by a person",
    // The region's own resources do not change when it is drained: leave its control plane alone.
    change: { drained: true, note: `flapping: held out until ${at}` },
    summary: `hold ${region} out of traffic while it flaps (until ${at})`,
    stateDescription: `take ${region} out of traffic`,
    stackDescription: `move traffic off ${region}`,
  });
}

/**
 * Takes an unhealthy secondary out of traffic and out of stack updates (a region is inactive after
 * 3 failures). Route 53's own checks stop answering with a dead region, but not with one whose
 * failures its checkers miss or lag behind (a fast flap, a partial failure); and the region's
 * control plane may be down, so later updates must leave it alone. It is readmitted once healthy.
 */
export function planDrain(
  config: EnvironmentConfig,
  state: OperationalState,
  region: string,
  failingSince: number,
  id: string,
): Plan | Refusal {
  const since = new Date(failingSince).toISOString();
  return planTakeOut(config, state, region, id, {
    stepPrefix: "drain",
    whyNotWriter: "an unhealthy writer fails over instead",
    change: { drained: true, excluded: true, note: `failed: unhealthy since ${since}` },
    summary: `hold unhealthy ${region} out of traffic (failing since ${since})`,
    stateDescription: `take ${region} out of traffic and out of stack updates`,
    stackDescription: `move traffic off ${region}, leaving its resources untouched`,
  });
}

interface TakeOut {
  readonly stepPrefix: string;
  readonly whyNotWriter: string;
  readonly change: Partial<OperationalState["regions"][string]>;
  readonly summary: string;
  readonly stateDescription: string;
  readonly stackDescription: string;
}

/**
 * One secondary out of traffic: a state change, then a stack update that leaves the region alone.
 * With ARC a routing-control flip moves the traffic first, and the stack update is deferred when it
 * fails.
 */
function planTakeOut(
  config: EnvironmentConfig,
  state: OperationalState,
  region: string,
  id: string,
  t: TakeOut,
): Plan | Refusal {
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  if (state.regions[region] === undefined) {
    return refuse(RULES.validTarget, `${region} is not a region of this environment`);
  }
  if (region === state.writer)
    return refuse(RULES.neverTwoWriters, `${region} is the writer; ${t.whyNotWriter}`);
  const patch: StatePatch = { regions: { [region]: t.change } };
  const noZero = checkServing(state, [patch]);
  if (noZero !== null) return noZero;
  return {
    id,
    kind: "traffic",
    summary: t.summary,
    steps: [
      { id: `${t.stepPrefix}/state`, kind: "patchState", description: t.stateDescription, patch },
      ...trafficFlip(config, state, [patch], `${t.stepPrefix}/traffic`, t.stackDescription),
      {
        id: `${t.stepPrefix}/stack`,
        kind: "stackUpdate",
        description: t.stackDescription,
        excludes: excludedRegions(state, [region]),
        attempts: RECOVERY_UPDATE_ATTEMPTS,
        ...(usesArc(config) ? { deferOnFailure: true } : {}),
      },
    ],
    compensation: [],
    regions: [region],
  };
}

/**
 * Why `region` may not be readmitted yet, or null when it may. `minHealthyMs` is how long it must
 * have stayed healthy: a region that comes back and fails again within the flap window would
 * otherwise be readmitted on every short recovery, and clients sent to it each time.
 */
export function readmitBlocker(
  state: OperationalState,
  health: HealthView,
  database: GlobalClusterView | null,
  region: string,
  minHealthyMs = 0,
): string | null {
  const rs = state.regions[region];
  if (rs === undefined) return "not a region of this environment";
  if (!rs.drained && !rs.excluded) return "already in traffic";
  if (!drainedByController(rs.note)) return "drained by a person";
  if (!regionAvailable(health, region)) return unavailableReason(health, region);
  const healthyFor = health[region]?.healthyForMs;
  if (healthyFor !== undefined && healthyFor < minHealthyMs) {
    return `healthy for ${Math.round(healthyFor / 1000)} s of the ${Math.round(minHealthyMs / 1000)} s it must stay healthy`;
  }
  if (region === state.writer) return null;
  if (database === null) return "database membership unknown";
  const member = memberOf(database, region);
  if (member === undefined) return "its cluster is not in the global database (queued for repair)";
  if (member.status !== "connected") return `its cluster is ${member.status}`;
  return null;
}

export function planReadmit(
  config: EnvironmentConfig,
  state: OperationalState,
  health: HealthView,
  database: GlobalClusterView | null,
  region: string,
  id: string,
  minHealthyMs = 0,
): Plan | Refusal {
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  const blocker = readmitBlocker(state, health, database, region, minHealthyMs);
  if (blocker !== null) return refuse(RULES.targetHealthy, `${region}: ${blocker}`);
  const excludes = excludedRegions(state).filter((r) => r !== region);
  const readmit: StatePatch = { regions: { [region]: { drained: false, excluded: false, note: null } } };
  return {
    id,
    kind: "traffic",
    summary: `readmit ${region} to traffic (healthy again${region === state.writer ? "" : ", database member connected"})`,
    steps: [
      {
        id: "readmit/state",
        kind: "patchState",
        description: `put ${region} back in traffic and under stack management`,
        patch: readmit,
      },
      {
        id: "readmit/stack",
        kind: "stackUpdate",
        description: `reconcile ${region} and send it traffic`,
        ...(excludes.length > 0 ? { excludes } : {}),
        attempts: RECOVERY_UPDATE_ATTEMPTS,
      },
      // After the update, so the region's routing control turns on only once it runs what the state says.
      ...trafficFlip(config, state, [readmit], "readmit/traffic", `send ${region} traffic`),
      ...rpoGuardRestoreOnReadmit(config, state, region, excludes),
    ],
    compensation: [],
    regions: [region],
  };
}

/**
 * A readmitted secondary gives the writer a reachable secondary again: every guard a failover
 * relaxed and that can be reached is set back to the configured value. After the traffic move, so
 * a failed call never keeps the region out of traffic.
 */
function rpoGuardRestoreOnReadmit(
  config: EnvironmentConfig,
  state: OperationalState,
  region: string,
  excludes: readonly string[],
): Step[] {
  if (region === state.writer) return [];
  const reachable = Object.entries(state.regions)
    .filter(([r, rs]) => r === region || (!rs.excluded && !excludes.includes(r)))
    .map(([r]) => r);
  const decision = decideRpoGuard({
    config,
    writer: state.writer,
    reachable,
    relaxed: state.rpoGuardRelaxed ?? [],
  });
  return decision.action === "restore" ? rpoGuardSteps("readmit", decision) : [];
}
