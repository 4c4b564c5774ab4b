import type { EnvironmentConfig } from "../../components/config";
import type { DeferredStackUpdate, OperationalState } from "../../components/operationalState";
import { RULES, operationInFlight, refuse } from "./failoverSafety";
import type { Plan, Refusal } from "./steps";
import { renderStatePlan } from "./renderState";

/**
 * The stack update a move deferred. A failover's writer and traffic move need only data planes
 * (the database in the target region, Route 53 health checks or ARC routing controls); the stack
 * update that renders the result needs the Pulumi backend and the Route 53 control plane, either of
 * which may be down with the region that failed. So a failed update does not fail the move: it is
 * queued in the state, and the watcher tries it again, backing off, until one lands.
 */

/** The wait before the n-th retry: 30 s, doubling, at most 10 minutes. */
export const DEFERRED_BACKOFF = { baseMs: 30_000, maxMs: 600_000 } as const;

export function deferredRetryDelayMs(attempts: number): number {
  return Math.min(DEFERRED_BACKOFF.baseMs * 2 ** Math.max(0, attempts - 1), DEFERRED_BACKOFF.maxMs);
}

export interface DeferFacts {
  readonly operationId: string;
  readonly stepId: string;
  readonly error: string;
  /** ms */
  readonly now: number;
}

/**
 * Queues (or, when one is already pending, counts another failed attempt of) the deferred update.
 * The first deferral keeps its operation and time, so status shows what has been pending since when.
 */
export function deferStackUpdate(state: OperationalState, facts: DeferFacts): OperationalState {
  const pending = state.deferredStackUpdate ?? null;
  const attempts = (pending?.attempts ?? 0) + 1;
  const item: DeferredStackUpdate = {
    operationId: pending?.operationId ?? facts.operationId,
    stepId: pending?.stepId ?? facts.stepId,
    queuedAt: pending?.queuedAt ?? new Date(facts.now).toISOString(),
    attempts,
    nextAttemptAt: new Date(facts.now + deferredRetryDelayMs(attempts)).toISOString(),
    lastError: facts.error,
  };
  return { ...state, deferredStackUpdate: item };
}

/** An update of every region not excluded renders the whole state: nothing is pending after it. */
export function clearDeferred(state: OperationalState): OperationalState {
  return (state.deferredStackUpdate ?? null) === null ? state : { ...state, deferredStackUpdate: null };
}

/** The pending update when its retry is due at `now`, else null. */
export function dueDeferred(state: OperationalState, now: number): DeferredStackUpdate | null {
  const pending = state.deferredStackUpdate ?? null;
  if (pending === null) return null;
  return Date.parse(pending.nextAttemptAt) <= now ? pending : null;
}

/**
 * The retry: set the routing controls to the state again (cheap, and it finishes a flip that
 * failed), then update every region not excluded. Its own failure defers again, with a longer wait.
 */
export function planDeferredStackUpdate(
  config: EnvironmentConfig,
  state: OperationalState,
  id: string,
): Plan | Refusal {
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  const pending = state.deferredStackUpdate ?? null;
  if (pending === null) return refuse(RULES.validTarget, "no stack update is pending");
  return renderStatePlan(config, state, {
    id,
    prefix: "deferred",
    why: `retry the stack update ${pending.operationId} deferred (attempt ${pending.attempts + 1})`,
    deferOnFailure: true,
  });
}
