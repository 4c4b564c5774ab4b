import type { RegionState } from "../../components/operationalState";

/**
 * Plans are data: a list of steps one executor runs, each recorded durably before the next starts.
 * Every step is idempotent, so a resumed run may repeat the step it was killed in.
 */

/** A change to the operational state; the stack update after it renders the change. */
export interface StatePatch {
  readonly writer?: string;
  readonly regions?: Readonly<Record<string, Partial<RegionState>>>;
}

interface StepBase {
  /** Stable within the plan, e.g. "wave-2/update". */
  readonly id: string;
  readonly description: string;
}

export type Step =
  | (StepBase & { readonly kind: "patchState"; readonly patch: StatePatch })
  | (StepBase & {
      readonly kind: "stackUpdate";
      /** Regions whose resources are updated; absent means every region not excluded. */
      readonly targets?: readonly string[];
      /** Regions left untouched (impaired, or not part of this wave). */
      readonly excludes?: readonly string[];
      /**
       * Attempts, the first included, before the step fails (default 1). Recovery plans retry a
       * failed update with exponential backoff: an update is idempotent, and the usual causes (an
       * API error, throttling) pass. Promotions do not: a failed update there is a reason to roll back.
       */
      readonly attempts?: number;
      /**
       * Refresh the targeted resources from the cloud before updating, so a resource deleted outside
       * Pulumi (a cluster that left the global database) is re-created instead of assumed present.
       */
      readonly refresh?: boolean;
      /**
       * A failure queues the update in the state (`deferredStackUpdate`) instead of failing the
       * step: the watcher retries it with backoff. For the reconciliation after a move that needs
       * the Pulumi backend and the Route 53 control plane, neither on the recovery's critical path.
       */
      readonly deferOnFailure?: boolean;
    })
  | (StepBase & {
      readonly kind: "healthGate";
      readonly regions: readonly string[];
      /** Consecutive healthy observations needed per region. */
      readonly consecutive: number;
      readonly timeoutSeconds: number;
    })
  | (StepBase & {
      readonly kind: "analysis";
      /** The region whose new-version traffic is judged (a canary, or one region of a wave). */
      readonly canaryRegion: string;
      /** The colour serving the new version; absent when it serves the whole region. */
      readonly canaryColor?: "blue" | "green";
      /** Regions still on the old version; none leaves only the absolute limits. */
      readonly baselineRegions: readonly string[];
      readonly bakeSeconds: number;
      readonly maxErrorRate: number;
      /** p95 latency in milliseconds at or above which the new version fails. */
      readonly maxLatencyMs: number;
      readonly minSamples: number;
      readonly consecutiveFailureLimit: number;
      readonly intervalSeconds: number;
    })
  /**
   * No promotion while a region is failing: before a promotion moves another region, every region
   * serving traffic must look healthy in one round of observations. A failing region holds the
   * promotion (up to `timeoutSeconds`, then it rolls back); a failing writer pauses it at once, so a
   * failover can take over; a failing region the promotion already moved rolls it back at once.
   */
  | (StepBase & {
      readonly kind: "safetyGate";
      /** The regions serving when the plan was made; the step observes those serving when it runs. */
      readonly regions: readonly string[];
      /** Consecutive failed rounds that confirm a region is failing (the detection threshold). */
      readonly failureThreshold: number;
      readonly timeoutSeconds: number;
    })
  | (StepBase & { readonly kind: "wait"; readonly seconds: number })
  /** Stops the operation until a person runs `regionctl promote`. */
  | (StepBase & { readonly kind: "pause"; readonly reason: string })
  | (StepBase & {
      readonly kind: "dbFailover";
      readonly to: string;
      /** Detach-and-promote with RemoveFromGlobalCluster when the managed failover is impossible. */
      readonly detachFallback: boolean;
    })
  | (StepBase & { readonly kind: "dbSwitchover"; readonly to: string; readonly maxLagSeconds: number })
  | (StepBase & { readonly kind: "awaitWriter"; readonly region: string; readonly timeoutSeconds: number })
  | (StepBase & { readonly kind: "syncRun"; readonly region: string })
  /**
   * Sets the Route 53 ARC routing controls to the operational state as it is when the step runs
   * (on for every region not drained, off for the rest), in one change through any of the ARC
   * cluster's endpoints. Moves traffic without a stack update or the Route 53 control plane.
   */
  | (StepBase & { readonly kind: "trafficControl" })
  /**
   * Rotates the database master password: a new one, made in memory, is set on `region`'s cluster
   * (the writer's), which is awaited until it is available with nothing pending, then written to
   * the database secret. Writer first, so no app ever reads a password the database refuses. The
   * password is never recorded: a resumed step makes a new one and sets both again.
   */
  | (StepBase & { readonly kind: "rotatePassword"; readonly region: string; readonly timeoutSeconds: number })
  /**
   * Sets the managed-RPO guard (`rds.global_db_rpo`) of `region`'s cluster to `seconds`, and
   * records in the state whether the guard there is relaxed (a value other than the configured one).
   */
  | (StepBase & {
      readonly kind: "rpoGuard";
      readonly region: string;
      readonly seconds: number;
      readonly relaxed: boolean;
    })
  /**
   * Takes a cluster a detach left writable out of service (stopped), through its own region once
   * that region is back, and drops it from the state's fence list.
   */
  | (StepBase & {
      readonly kind: "fenceCluster";
      readonly region: string;
      readonly clusterIdentifier: string;
    })
  /** Branches run at once; the step fails when any branch fails. */
  | (StepBase & { readonly kind: "parallel"; readonly branches: readonly (readonly Step[])[] })
  /**
   * Compensation: puts every region that moved during the operation back to its state from before
   * it, marks those regions `rolledback`, and leaves untouched regions alone.
   */
  | (StepBase & { readonly kind: "restore"; readonly regions: readonly string[] });

export type StepKind = Step["kind"];

/** `traffic`: the watcher holds a flapping region out of traffic, or readmits a recovered one. */
export type OperationKind =
  "deploy" | "failover" | "switchover" | "failback" | "repair" | "sync" | "rollback" | "traffic" | "rotation";

export interface Plan {
  readonly id: string;
  readonly kind: OperationKind;
  readonly summary: string;
  readonly steps: readonly Step[];
  /** Runs when a step fails (or on `regionctl abort`) after any step has changed something. */
  readonly compensation: readonly Step[];
  /** Regions the operation may change; the rest must not move. */
  readonly regions: readonly string[];
}

/** A planner that cannot plan (a safety rule forbids it) says why, instead of returning steps. */
export interface Refusal {
  readonly refused: true;
  readonly rule: string;
  readonly reason: string;
}

export type PlanResult = Plan | Refusal;

export function isRefusal(p: PlanResult): p is Refusal {
  return (p as Refusal).refused === true;
}
