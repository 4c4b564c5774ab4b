import type { EnvironmentConfig } from "../components/config";
import type { OperationalState } from "../components/operationalState";

/**
 * The interfaces the controller talks to. Real adapters live in `adapters/`, simulated ones in
 * `drill/`. The controller never imports an SDK directly.
 */

/** Time, so the drill can run the same controller on a virtual clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// State

export interface StoredState {
  readonly state: OperationalState;
  /** Opaque version tag (file content hash, S3 ETag) for conditional writes. */
  readonly etag: string;
}

export interface Lease {
  readonly holder: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly operation: string;
  readonly etag: string;
}

/** Keeps the operational state document and the environment's lease. */
export interface StateStore {
  /** A human-readable location, for messages. */
  readonly location: string;
  read(): Promise<StoredState | null>;
  /**
   * Writes only if the stored document still has `expectedEtag` (null: only if none exists).
   * Throws StateConflictError otherwise. Returns the new etag. The write is durable on return.
   */
  write(state: OperationalState, expectedEtag: string | null): Promise<string>;
  /** Takes the lease, or throws LeaseHeldError naming the holder. An expired lease is taken over. */
  acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease>;
  /** Extends a lease this holder owns; throws LeaseLostError when another holder took it. */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease>;
  releaseLease(lease: Lease): Promise<void>;
  /** The current lease, expired or not, if any. */
  readLease(): Promise<Lease | null>;
  /**
   * Writes as `write` does, in the same request as a check that the environment's leadership lease
   * is still `term` (its etag), so a leader that lost the lead can never land a write, however
   * slow the request. Throws LeaseLostError when the check fails, StateConflictError when the
   * document changed. Absent: the store cannot check another item in the same request, and the
   * fence reads the lease before it writes.
   */
  writeFenced?(state: OperationalState, expectedEtag: string | null, term: Lease): Promise<string>;
}

export class StateConflictError extends Error {
  constructor(location: string) {
    super(`operational state at ${location} was changed by someone else; re-read it and retry`);
    this.name = "StateConflictError";
  }
}

export class LeaseHeldError extends Error {
  constructor(
    readonly holder: string,
    readonly operation: string,
    readonly expiresAt: number,
  ) {
    super(
      `another regionctl operation is running on this environment: ${operation} held by ${holder} until ${new Date(expiresAt).toISOString()}`,
    );
    this.name = "LeaseHeldError";
  }
}

export class LeaseLostError extends Error {
  constructor(holder: string) {
    super(`the lease held by ${holder} was taken over by another run; stopping`);
    this.name = "LeaseLostError";
  }
}

// ---------------------------------------------------------------------------------------------
// Stacks

/** Targets or excludes: whole regions (every URN of that region's stack) or explicit URNs. */
export interface StackSelection {
  readonly regions?: readonly string[];
  readonly urns?: readonly string[];
}

export interface ChangeSummary {
  /** Counts by operation: create, update, delete, same, replace... */
  readonly changes: Readonly<Record<string, number>>;
  /** Resources that would change, for dry-run output. */
  readonly steps: readonly { readonly op: string; readonly urn: string; readonly type: string }[];
}

export interface UpdateOptions {
  readonly targets?: StackSelection;
  readonly excludes?: StackSelection;
  readonly message?: string;
  readonly signal?: AbortSignal;
  /** One line per resource step. */
  readonly onProgress?: (line: string) => void;
  /**
   * `up` only: refresh the selected resources from the cloud first (the Automation API's `refresh`
   * option on up), so a resource deleted outside Pulumi is re-created rather than assumed present.
   */
  readonly refresh?: boolean;
  /**
   * Preview only: the program renders this operational state instead of the stored one, so
   * `--dry-run` shows what a planned state change would do without writing it anywhere shared. The
   * adapter writes it to a temporary file and names that file in STATE_OVERRIDE_ENV for the program.
   */
  readonly stateOverride?: OperationalState;
}

export { STATE_OVERRIDE_ENV } from "../components/stateOverride";

export interface UpdateResult {
  readonly changes: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
}

export interface StackHistoryEntry {
  readonly version: number;
  readonly kind: string;
  readonly result: string;
  readonly startTime: string;
  readonly message: string;
}

/** One environment's Pulumi stack. The program reads the operational state itself. */
export interface StackEngine {
  preview(options?: UpdateOptions): Promise<ChangeSummary>;
  up(options?: UpdateOptions): Promise<UpdateResult>;
  refresh(options?: UpdateOptions): Promise<ChangeSummary>;
  outputs(): Promise<Record<string, unknown>>;
  history(limit?: number): Promise<StackHistoryEntry[]>;
}

/** The stack is being updated by someone else (Pulumi's ConcurrentUpdateError). */
export class StackLockedError extends Error {
  constructor(stack: string, detail: string) {
    super(`stack ${stack} is locked by another update: ${detail}`);
    this.name = "StackLockedError";
  }
}

/** A stack update failed; the engine's message is kept whole. */
export class StackUpdateError extends Error {
  constructor(
    stack: string,
    readonly engineMessage: string,
  ) {
    super(`stack ${stack} update failed: ${engineMessage}`);
    this.name = "StackUpdateError";
  }
}

// ---------------------------------------------------------------------------------------------
// Health

export interface RegionEndpoint {
  readonly region: string;
  /** Full URL probed, e.g. https://app.us-east-1.dev.example.com/health. */
  readonly url: string;
  /** Route 53 health check id, when the stack has one. */
  readonly healthCheckId?: string;
}

/** One observation of one region. Each source is null when it did not answer. */
export interface HealthSample {
  readonly region: string;
  readonly at: number;
  /** Fraction (0..1) of Route 53 checkers that see the region healthy. */
  readonly checkerFraction: number | null;
  /** Direct probe: true on a 2xx/3xx within the timeout. */
  readonly probeOk: boolean | null;
  readonly detail: string;
}

export interface HealthSource {
  /**
   * Observes every region concurrently, each with its own timeout: one hung region never delays
   * the verdict on the others.
   */
  observe(regions: readonly RegionEndpoint[], signal?: AbortSignal): Promise<HealthSample[]>;
}

// ---------------------------------------------------------------------------------------------
// Metrics

export interface MetricPoint {
  readonly at: number;
  readonly value: number;
}

/** One region's traffic, or one colour in it, over a window. */
export interface ErrorRateQuery {
  readonly region: string;
  readonly color?: "blue" | "green";
  readonly startMs: number;
  readonly endMs: number;
  readonly periodSeconds: number;
}

/** The same window and traffic as an error-rate query. */
export type MetricQuery = ErrorRateQuery;

export interface MetricsSource {
  /** Error rate (0..1) per period of the query's traffic. */
  errorRate(query: ErrorRateQuery): Promise<MetricPoint[]>;
  /**
   * 95th-percentile latency in milliseconds per period of the query's traffic. A period without
   * requests yields no point.
   */
  latencyP95(query: MetricQuery): Promise<MetricPoint[]>;
}

// ---------------------------------------------------------------------------------------------
// Database

export interface GlobalClusterMember {
  readonly region: string;
  readonly clusterArn: string;
  readonly isWriter: boolean;
  /** Aurora's GlobalWriteForwardingStatus/SynchronizationStatus: connected, pending-resync, ... */
  readonly status: string;
  /** Replication lag in seconds, when known. */
  readonly lagSeconds: number | null;
}

export interface GlobalClusterView {
  readonly id: string;
  /**
   * Region of the writer member, or null mid-failover. Seen through a region whose cluster was
   * detached from the global cluster (a detach-and-promote failover), that region: it takes the writes.
   */
  readonly writer: string | null;
  readonly status: string;
  /** The global cluster's members (a detached cluster is not one). */
  readonly members: readonly GlobalClusterMember[];
  /**
   * Set when the region described through runs a standalone cluster that left the global cluster
   * and accepts writes on its own (DescribeDBClusters of its own cluster): the writer after a detach
   * failover, until the other regions are rebuilt under it. `members` are then the old global
   * cluster's, which no longer replicate from the writer.
   */
  readonly detachedWriter?: string;
  /** With `detachedWriter`: that standalone cluster's identifier and its own writer endpoint. */
  readonly detachedCluster?: DetachedCluster;
}

/** A standalone cluster that left the global cluster and takes writes on its own. */
export interface DetachedCluster {
  readonly identifier: string;
  /** The cluster's own writer endpoint: the global cluster's endpoint still names the old writer. */
  readonly endpoint: string;
}

/** An Aurora global database. Every call names the region whose endpoint it uses (blast radius). */
export interface GlobalDatabase {
  describe(viaRegion: string): Promise<GlobalClusterView>;
  /** Unplanned: promote `toRegion`, accepting the loss of unreplicated writes. */
  failover(toRegion: string, viaRegion: string): Promise<void>;
  /** Planned, RPO 0. */
  switchover(toRegion: string, viaRegion: string): Promise<void>;
  /** Detach `region`'s cluster from the global cluster, making it a standalone writer. */
  removeFromGlobal(region: string, viaRegion: string): Promise<void>;
  /**
   * Takes `region`'s cluster out of service so nothing can write to it: a writer a detach left
   * behind (the old global cluster's, or an earlier detached target), once its region is back.
   * Idempotent: a cluster already fenced stays so.
   */
  fenceCluster(region: string, viaRegion: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Member clusters and the database secret

/** What the controller needs to know of one member cluster before and after changing it. */
export interface MemberClusterView {
  /** RDS's cluster status: available, modifying, resetting-master-credentials... */
  readonly status: string;
  /** A new master password was accepted and is not in effect yet. */
  readonly passwordPending: boolean;
  /** `rds.global_db_rpo` in the cluster's parameter group, in seconds; null when unset or no group. */
  readonly rpoGuardSeconds: number | null;
}

/**
 * The global database's member clusters, one region at a time. Every call names the region whose
 * cluster it changes and uses that region's endpoint, never another's.
 */
export interface MemberClusters {
  describe(region: string): Promise<MemberClusterView>;
  /** Sets the master password of `region`'s cluster, applied immediately. */
  setMasterPassword(region: string, password: string): Promise<void>;
  /**
   * Sets `rds.global_db_rpo` in `region`'s cluster parameter group (applied immediately). Throws
   * when the cluster has no parameter group of its own to change.
   */
  setRpoGuard(region: string, seconds: number): Promise<void>;
}

/**
 * The secret apps and sync jobs read the database credentials from. Its replicas in the other
 * regions follow by Secrets Manager replication.
 */
export interface DatabaseSecretStore {
  /** A human-readable name (the secret's id and home region), for messages. */
  readonly location: string;
  /** Replaces the password and keeps every other field of the secret's document. */
  putPassword(password: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Traffic

/** Whether a region's routing control lets Route 53 send it traffic. */
export type TrafficState = "on" | "off";

/**
 * Moves traffic between regions through a data plane alone (Route 53 ARC routing controls), so a
 * failover's traffic step needs neither a stack update nor the Route 53 control plane.
 */
export interface TrafficControl {
  /** Every region under control. */
  readonly regions: readonly string[];
  /**
   * Turns `on` regions on and `off` regions off in one change, so a safety rule judges the whole
   * change, never half of it. Throws TrafficChangeRejectedError, with nothing changed, when it would
   * leave no region on; TrafficControlUnavailableError when the control could not be reached.
   */
  setRegions(on: readonly string[], off: readonly string[], signal?: AbortSignal): Promise<void>;
  /** The current state of every region under control. */
  describe(signal?: AbortSignal): Promise<ReadonlyMap<string, TrafficState>>;
}

/** A safety rule refused a traffic change (it would have left no region on); nothing changed. */
export class TrafficChangeRejectedError extends Error {
  constructor(detail: string) {
    super(`traffic change refused by a safety rule (at least one region must stay on): ${detail}`);
    this.name = "TrafficChangeRejectedError";
  }
}

/** No endpoint of the traffic control answered. */
export class TrafficControlUnavailableError extends Error {
  constructor(readonly attempts: readonly string[]) {
    super(`no traffic control endpoint answered:\n${attempts.map((a) => `  ${a}`).join("\n")}`);
    this.name = "TrafficControlUnavailableError";
  }
}

// ---------------------------------------------------------------------------------------------
// Sync jobs

export interface SyncRunResult {
  readonly ok: boolean;
  /** The source watermark the run reached (ISO time). */
  readonly watermark: string | null;
  readonly detail: string;
}

/** Runs a region's sync job now (a Job from its CronJob) and follows it. */
export interface SyncJobs {
  run(region: string, signal?: AbortSignal): Promise<SyncRunResult>;
  /** Starts a run without following it (`regionctl sync` without `--wait`); returns the Job's name. */
  trigger?(region: string): Promise<string>;
}

/** The ports an operation runs against. */
export interface Ports {
  readonly clock: Clock;
  readonly state: StateStore;
  readonly stack: StackEngine;
  readonly health: HealthSource;
  readonly metrics: MetricsSource;
  readonly database: GlobalDatabase;
  readonly sync: SyncJobs;
  /** The member clusters (password rotation, the managed-RPO guard); absent where a program has none. */
  readonly clusters?: MemberClusters;
  /** The database secret (password rotation); absent where a program has none. */
  readonly secret?: DatabaseSecretStore;
  /** Route 53 ARC routing controls; present when the environment's `dns.control` is `arc`. */
  readonly traffic?: TrafficControl;
  /**
   * Checks what the adapters need from the machine (AWS credentials) before a command that decides
   * on health: without it, every failed AWS call would read as "no data" and a region as healthy.
   */
  readonly preflight?: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Programs other than the AWS one

/** What a program's ports module (`regionctl.ports.ts` beside its Pulumi.yaml) is given. */
export interface ProgramPortsInput {
  /** The environment's validated config (its file store's directory already absolute). */
  readonly config: EnvironmentConfig;
  /** The stack file's values by namespaced key (`regionctl:...`, the program's own keys). */
  readonly stackConfig: Readonly<Record<string, unknown>>;
  /** The stack the program is deployed as. */
  readonly stack: string;
  readonly clock: Clock;
}

/**
 * A program run with `--program DIR` brings the ports its resources answer to, in place of the AWS
 * ones: its module exports `openPorts`, which returns them. The controller keeps its own clock,
 * state store and stack engine.
 */
export type OpenProgramPorts = (
  input: ProgramPortsInput,
) => Promise<Pick<Ports, "health" | "metrics" | "database" | "sync">>;
