import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import type { ReplicationSettings } from "../plans/replication";
import type { GlobalClusterView, HealthSample, Lease } from "../ports";
import type { Decision } from "./decision";
import type { VantageReport } from "./quorum";
import type { WatchMemory } from "./watchMemory";

/** The operation this watcher runs in the background. */
export interface RunningOperation {
  readonly id: string;
  readonly kind: string;
  /** The region a writer move is promoting, so a target that dies can be abandoned. */
  readonly target: string | null;
}

/** Everything one decision looks at; decide reads nothing else. */
export interface TickInputs {
  readonly config: EnvironmentConfig;
  /** Who acts, for the lease and the records. */
  readonly holder: string;
  /** The stack name, for the commands printed. */
  readonly stack?: string;
  /** When the tick began observing: samples and schedules (database checks, backoffs) use it. */
  readonly now: number;
  /**
   * When decide runs, after the probes answered (a dead region's probe times out first). A failed
   * failover's retry is timed by it, so a retry due while the tick observed is not put off a tick.
   */
  readonly decidedAt: number;
  /** After this tick's samples were folded in (rememberSamples). */
  readonly memory: WatchMemory;
  readonly samples: readonly HealthSample[];
  readonly state: OperationalState;
  /** A live lease was seen on either side of reading the state. */
  readonly leaseLive: boolean;
  readonly lease: Lease | null;
  readonly running: RunningOperation | null;
  /** "unread" until decide asks for it (the read-database effect); null when no region answered. */
  readonly database: GlobalClusterView | null | "unread";
  /** Releases already asked to stop this tick that have not let go yet. */
  readonly preemptAsked: readonly string[];
  readonly replication: ReplicationSettings;
  /** Seconds between replication checks of the global database. */
  readonly databaseCheckSeconds: number;
  /**
   * With several watcher replicas: this one's name and every replica's published verdicts. A
   * region is then declared down by a quorum of vantage points (quorum.ts), not by one.
   */
  readonly vantage?: VantageInputs;
}

export interface VantageInputs {
  readonly voter: string;
  readonly reports: readonly VantageReport[];
  readonly freshMs: number;
}

/**
 * What a person must do after this tick: nothing; act on a failure (a refused failover, a failed
 * rollback: exit 1); or continue or decide something the controller waits on (a failover to run in
 * manual mode, a paused or interrupted release: exit 3).
 */
export type Attention = "none" | "failed" | "waiting";

export interface TickOutcome {
  readonly decisions: readonly Decision[];
  readonly notes: readonly string[];
  readonly memory: WatchMemory;
  readonly attention: Attention;
  /**
   * The state decide reasoned on after its own recorded changes; the runner writes those changes
   * (the record effects), this is only what decide assumed.
   */
  readonly state: OperationalState;
}
