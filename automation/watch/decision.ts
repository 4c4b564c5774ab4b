import type { OperationRecord, OperationalState } from "../../components/operationalState";
import type { Plan } from "../plans/steps";

export type DecisionKind =
  | "failover"
  | "holdout"
  | "readmit"
  | "repair"
  | "sync-retry"
  | "resume"
  | "failback-ready"
  | "operation"
  | "replication"
  | "reconcile"
  | "preempt"
  | "yield"
  | "escalate";

/** A pure change of the operational state, written under the lease by the runner. */
export type StateChange = (state: OperationalState) => OperationalState | null;

/**
 * Bookkeeping once a started operation ends. Data, not a callback: decide stays pure, and the
 * runner, which sees the result, does the writing.
 */
export type FollowUp =
  /** A writer move: close its incident at the step that made the new writer serve. */
  | {
      readonly kind: "close-incident";
      readonly operation: "failover" | "switchover" | "failback";
      readonly from: string;
    }
  /** A failed failover finished by a reconcile: close its incident when the traffic moved. */
  | { readonly kind: "close-reconciled-failover"; readonly from: string }
  /** A repair: record the attempt in the queue (backoff on failure) and look at the members again. */
  | { readonly kind: "repair-attempt"; readonly region: string }
  /** A sync retry: a run that died without a retry time gets one. */
  | { readonly kind: "sync-retry"; readonly regions: readonly string[] };

/** What the runner does for a decision. Decisions without one are reports. */
export type Effect =
  /** Run a plan in the background; `before` is written first (a refused write defers the start). */
  | { readonly do: "start"; readonly plan: Plan; readonly before?: StateChange; readonly after?: FollowUp }
  /** Carry on an interrupted operation from its first unfinished step. */
  | { readonly do: "resume"; readonly operation: OperationRecord; readonly after?: FollowUp }
  /** Stop the background operation where it is (its steps stay recorded), then decide again. */
  | { readonly do: "stop"; readonly operationId: string; readonly reason: string }
  /** Ask another process's release to stop, wait for it at most `waitMs`, then decide again. */
  | {
      readonly do: "preempt";
      readonly operation: OperationRecord;
      readonly by: string;
      readonly waitMs: number;
    }
  /** Describe the global database through a healthy region, then decide again. */
  | { readonly do: "read-database" }
  /** Write a bookkeeping change of the state under the lease. */
  | { readonly do: "record"; readonly purpose: string; readonly change: StateChange };

export interface Decision {
  readonly kind: DecisionKind;
  /**
   * started: an operation began; reported: a person must act or may; refused: a safety rule said
   * no; deferred: later; recorded: bookkeeping written; stopping: a running operation is asked to
   * end; proposed: what the watcher would do, when nothing may be done (`regionctl check`).
   */
  readonly action: "started" | "reported" | "refused" | "deferred" | "recorded" | "stopping" | "proposed";
  readonly summary: string;
  readonly region?: string;
  readonly operationId?: string;
  /** The exact command a person runs. */
  readonly command?: string;
  readonly rule?: string;
  /** The plan the decision would start (also when a person must start it). */
  readonly plan?: Plan;
  readonly effect?: Effect;
}
