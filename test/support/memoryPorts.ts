import type { EnvironmentConfig } from "../../components/config";
import { type OperationalState, reconcileState } from "../../components/operationalState";
import { type RegionPlan, planTopology } from "../../components/topology";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { SimTrafficControl } from "../../automation/drill/simTrafficControl";
import {
  type ChangeSummary,
  type Clock,
  type DatabaseSecretStore,
  type GlobalClusterView,
  type GlobalDatabase,
  type HealthSample,
  type HealthSource,
  type Lease,
  type MemberClusterView,
  type MemberClusters,
  type MetricPoint,
  type ErrorRateQuery,
  type MetricQuery,
  type MetricsSource,
  type Ports,
  type RegionEndpoint,
  type StackEngine,
  type StackHistoryEntry,
  type StateStore,
  type SyncJobs,
  type SyncRunResult,
  type UpdateOptions,
  type UpdateResult,
} from "../../automation/ports";

/**
 * In-memory fakes of every port, for executor, drill and failover tests. They behave like the real
 * adapters where the controller depends on it (conditional writes, lease expiry, a stack that
 * renders the stored operational state through the topology, per-probe timeouts) and record every
 * side effect in one ordered log, so a test can assert what happened and how often.
 *
 * Every fake waits only on the shared VirtualClock; nothing here uses real time.
 */

// ---------------------------------------------------------------------------------------------
// Effects log

export interface Effect {
  readonly port:
    "state" | "lease" | "stack" | "health" | "metrics" | "database" | "sync" | "clusters" | "secret";
  readonly action: string;
  /** Virtual time of the call. */
  readonly at: number;
  readonly detail: Readonly<Record<string, unknown>>;
}

export class EffectLog {
  readonly entries: Effect[] = [];

  constructor(private readonly clock: Clock) {}

  add(port: Effect["port"], action: string, detail: Record<string, unknown> = {}): void {
    this.entries.push({ port, action, at: this.clock.now(), detail });
  }

  of(port: Effect["port"], action?: string): Effect[] {
    return this.entries.filter((e) => e.port === port && (action === undefined || e.action === action));
  }
}

// ---------------------------------------------------------------------------------------------
// Clock

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * Virtual time. In `auto` mode (the default) it jumps to the next timer as soon as every pending
 * promise chain has settled, so a 300-second health gate runs in milliseconds while concurrent
 * sleepers (a lease keeper beside a step) still wake in time order. With `auto: false` tests move
 * time themselves with `advance`.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pumping = false;

  constructor(
    start = Date.UTC(2025, 0, 1),
    private readonly auto = true,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortReason(signal));
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      if (this.auto) this.pump();
    });
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting each wake-up run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.fireTimer(next);
    }
    this.t = target;
    await settle();
  }

  private earliest(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>(
      (best, x) =>
        best === undefined || x.at < best.at || (x.at === best.at && x.seq < best.seq) ? x : best,
      undefined,
    );
  }

  private fireTimer(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.fire();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        for (;;) {
          await settle();
          const next = this.earliest();
          if (next === undefined) return;
          this.fireTimer(next);
        }
      } finally {
        this.pumping = false;
      }
    })();
  }
}

/** Lets every queued promise continuation run (a few macrotask turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
}

// ---------------------------------------------------------------------------------------------
// State store

/**
 * The drill's state store (conditional writes, validated documents, a lease refused to everyone
 * while live) with what unit tests add: every write and lease call in the effect log, injected
 * write failures, and another writer's overwrite. One implementation serves the drill and the tests.
 */
export class MemoryStateStore extends SimStateStore {
  /** Number of write attempts so far. */
  writes = 0;
  /** Return an error to make write attempt `n` (1-based) fail before it lands. */
  failWrite: ((n: number, state: OperationalState) => Error | undefined) | undefined;

  constructor(
    clock: Clock,
    private readonly log: EffectLog,
    initial: OperationalState | null = null,
  ) {
    super(clock, () => {}, "memory://operational-state");
    if (initial !== null) this.seed(initial);
  }

  override async write(state: OperationalState, expectedEtag: string | null): Promise<string> {
    const n = ++this.writes;
    const injected = this.failWrite?.(n, state);
    if (injected !== undefined) throw injected;
    const etag = await super.write(state, expectedEtag);
    this.log.add("state", "write", { revision: state.revision });
    return etag;
  }

  /** The stored document (not a copy to write back: use write for that). */
  get current(): OperationalState | null {
    return this.peek();
  }

  /** Replaces the document as another writer would (bumps the etag). */
  overwrite(state: OperationalState): void {
    this.seed(state);
  }

  override async acquireLease(holder: string, operation: string, ttlMs: number): Promise<Lease> {
    const lease = await super.acquireLease(holder, operation, ttlMs);
    this.log.add("lease", "acquire", { holder, operation });
    return lease;
  }

  override async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    const renewed = await super.renewLease(lease, ttlMs);
    this.log.add("lease", "renew", { holder: lease.holder });
    return renewed;
  }

  override async releaseLease(lease: Lease): Promise<void> {
    const held = await this.readLease();
    await super.releaseLease(lease);
    if (held !== null && held.etag === lease.etag) this.log.add("lease", "release", { holder: lease.holder });
  }
}

// ---------------------------------------------------------------------------------------------
// Stack

export interface StackCall {
  readonly op: "up" | "preview" | "refresh";
  readonly targets: readonly string[] | undefined;
  readonly excludes: readonly string[] | undefined;
  readonly message: string | undefined;
  /** `up` refreshed first (UpdateOptions.refresh). */
  readonly refresh?: boolean;
}

/**
 * A stack whose "resources" are each region's plan from planTopology. `up` reads the stored
 * operational state (as the program does) and renders it for the targeted regions, leaving
 * excluded and untargeted regions as they were; `deployed` is what each region runs now.
 */
export class MemoryStackEngine implements StackEngine {
  readonly calls: StackCall[] = [];
  readonly deployed: Record<string, RegionPlan> = {};
  /** Virtual time each update takes. */
  updateMs = 0;
  /** Return an error to make update `n` (1-based) fail; it is checked before anything changes. */
  failUp: ((call: StackCall, n: number) => Error | undefined) | undefined;
  /** Runs after update `n` changed the regions and before it returns (e.g. to kill the run then). */
  afterUp: ((call: StackCall, n: number) => void) | undefined;
  private ups = 0;

  constructor(
    private readonly config: EnvironmentConfig,
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly log: EffectLog,
    initial: OperationalState | null,
  ) {
    for (const r of planTopology(config, initial).regions) this.deployed[r.region] = r;
  }

  async up(options: UpdateOptions = {}): Promise<UpdateResult> {
    const call = this.call("up", options);
    const n = ++this.ups;
    const injected = this.failUp?.(call, n);
    if (injected !== undefined) {
      this.log.add("stack", "up-failed", { targets: call.targets, error: injected.message });
      throw injected;
    }
    const start = this.clock.now();
    if (this.updateMs > 0) await this.clock.sleep(this.updateMs, options.signal);
    options.signal?.throwIfAborted();
    const stored = await this.store.read();
    const changed = this.render(stored?.state ?? null, call);
    this.log.add("stack", "up", {
      targets: call.targets,
      excludes: call.excludes,
      versions: Object.fromEntries(changed.map((r) => [r, this.deployed[r].app.servingVersion])),
      apps: Object.fromEntries(changed.map((r) => [r, describeApp(this.deployed[r])])),
    });
    this.afterUp?.(call, n);
    return { changes: { update: changed.length }, outputs: {}, durationMs: this.clock.now() - start };
  }

  async preview(options: UpdateOptions = {}): Promise<ChangeSummary> {
    const call = this.call("preview", options);
    const state = options.stateOverride ?? (await this.store.read())?.state ?? null;
    const plan = planTopology(this.config, state);
    const steps = this.selected(call)
      .filter(
        (r) => JSON.stringify(plan.regions.find((p) => p.region === r)) !== JSON.stringify(this.deployed[r]),
      )
      .map((r) => ({ op: "update", urn: regionUrn(r), type: "regionctl:index:RegionStack" }));
    const same = this.selected(call).length - steps.length;
    return { changes: { update: steps.length, same }, steps };
  }

  async refresh(options: UpdateOptions = {}): Promise<ChangeSummary> {
    this.call("refresh", options);
    return { changes: { same: Object.keys(this.deployed).length }, steps: [] };
  }

  async outputs(): Promise<Record<string, unknown>> {
    return { regions: structuredClone(this.deployed) };
  }

  async history(limit?: number): Promise<StackHistoryEntry[]> {
    const ups = this.calls.filter((c) => c.op === "up");
    return ups.slice(-(limit ?? ups.length)).map((c, i) => ({
      version: i + 1,
      kind: "update",
      result: "succeeded",
      startTime: new Date(this.clock.now()).toISOString(),
      message: c.message ?? "",
    }));
  }

  /** Serving version of every region, as deployed. */
  versions(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.deployed).map(([r, p]) => [r, p.app.servingVersion]));
  }

  private call(op: StackCall["op"], options: UpdateOptions): StackCall {
    const call: StackCall = {
      op,
      targets: options.targets?.regions === undefined ? undefined : [...options.targets.regions],
      excludes: options.excludes?.regions === undefined ? undefined : [...options.excludes.regions],
      message: options.message,
      ...(options.refresh === true ? { refresh: true } : {}),
    };
    this.calls.push(call);
    return call;
  }

  private selected(call: StackCall): string[] {
    const all = this.config.regions.map((r) => r.region);
    return (call.targets ?? all).filter((r) => !(call.excludes ?? []).includes(r));
  }

  private render(state: OperationalState | null, call: StackCall): string[] {
    const plan = planTopology(this.config, state === null ? null : reconcileState(this.config, state));
    const selected = this.selected(call);
    for (const r of plan.regions) {
      if (selected.includes(r.region)) this.deployed[r.region] = r;
    }
    return selected;
  }
}

/** One line per region's app, e.g. "blue 1.0.0 x3, green 2.0.0 x1, selector both, weight 10". */
export function describeApp(plan: RegionPlan): string {
  const slots = plan.app.slots.map((s) => `${s.color} ${s.version ?? "-"} x${s.replicas}`).join(", ");
  return `${slots}, selector ${plan.app.selectorColor ?? "both"}, weight ${plan.app.canaryWeight ?? "-"}`;
}

export function regionUrn(region: string): string {
  return `urn:pulumi:test::regionctl::regionctl:index:RegionStack::${region}`;
}

// ---------------------------------------------------------------------------------------------
// Health

/** What a region answers: healthy or not, a full sample, or no answer at all ("hang"). */
export type HealthAnswer = boolean | "hang" | Omit<HealthSample, "region" | "at">;
export type HealthPolicy = (region: string, now: number) => HealthAnswer;

/**
 * Observes every region at once, each probe bounded by `probeTimeoutMs` like the real adapter,
 * so a hanging region answers "timed out" without delaying the others. `hangAll` makes the whole
 * source hang (a broken adapter), for testing the gate's own deadline.
 */
export class MemoryHealthSource implements HealthSource {
  probeTimeoutMs = 6_000;
  hangAll = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: EffectLog,
    public policy: HealthPolicy = () => true,
  ) {}

  async observe(regions: readonly RegionEndpoint[], signal?: AbortSignal): Promise<HealthSample[]> {
    this.log.add("health", "observe", { regions: regions.map((r) => r.region) });
    if (this.hangAll) {
      await new Promise<never>((_, reject) =>
        signal?.addEventListener("abort", () => reject(abortReason(signal))),
      );
    }
    return Promise.all(regions.map((r) => this.probe(r.region, signal)));
  }

  private async probe(region: string, signal?: AbortSignal): Promise<HealthSample> {
    const answer = this.policy(region, this.clock.now());
    if (answer === "hang") {
      await this.clock.sleep(this.probeTimeoutMs, signal);
      return {
        region,
        at: this.clock.now(),
        checkerFraction: null,
        probeOk: false,
        detail: "probe timed out",
      };
    }
    const at = this.clock.now();
    if (typeof answer === "boolean") {
      return {
        region,
        at,
        checkerFraction: answer ? 1 : 0,
        probeOk: answer,
        detail: answer ? "200 OK" : "503 Service Unavailable",
      };
    }
    return { region, at, ...answer };
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics

/** An error rate, no data (null), or a failing query (an Error, thrown). */
export type ErrorRatePolicy = (query: ErrorRateQuery) => number | null | Error;

/** A p95 latency in milliseconds, no data (null), or a failing query (an Error, thrown). */
export type LatencyPolicy = (query: MetricQuery) => number | null | Error;

export class MemoryMetricsSource implements MetricsSource {
  constructor(
    private readonly log: EffectLog,
    public policy: ErrorRatePolicy = () => 0,
    public latencyPolicy: LatencyPolicy = () => 40,
  ) {}

  async latencyP95(query: MetricQuery): Promise<MetricPoint[]> {
    this.log.add("metrics", "latencyP95", { region: query.region, color: query.color });
    const value = this.latencyPolicy(query);
    if (value instanceof Error) throw value;
    return value === null ? [] : [{ at: query.endMs, value }];
  }

  async errorRate(query: ErrorRateQuery): Promise<MetricPoint[]> {
    this.log.add("metrics", "errorRate", { region: query.region, color: query.color });
    const value = this.policy(query);
    if (value instanceof Error) throw value;
    return value === null ? [] : [{ at: query.endMs, value }];
  }
}

// ---------------------------------------------------------------------------------------------
// Database

/**
 * An Aurora global database. `failover` and `switchover` leave the writer unset for
 * `promotionMs` (as Aurora does mid-promotion); `describe` shows the new writer after that.
 */
export class MemoryGlobalDatabase implements GlobalDatabase {
  writer: string | null;
  lag: Record<string, number | null>;
  promotionMs = 30_000;
  /** Set to make the next calls of that kind throw. */
  failFailover: Error | undefined;
  failSwitchover: Error | undefined;
  failRemove: Error | undefined;
  readonly detached = new Set<string>();
  /** Members the database reports unavailable (their region is down). */
  readonly unavailable = new Set<string>();
  failFence?: Error;
  private pending: { to: string; at: number } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: EffectLog,
    readonly id: string,
    regions: readonly string[],
    writer: string,
  ) {
    this.writer = writer;
    this.lag = Object.fromEntries(regions.filter((r) => r !== writer).map((r) => [r, 0.5]));
  }

  async describe(viaRegion: string): Promise<GlobalClusterView> {
    this.log.add("database", "describe", { via: viaRegion });
    this.settle();
    const regions = [...new Set([...(this.writer === null ? [] : [this.writer]), ...Object.keys(this.lag)])];
    // As the RDS adapter reports it: through a detached standalone cluster, that cluster is the writer.
    const detached = this.detached.has(viaRegion);
    return {
      id: this.id,
      writer: detached ? viaRegion : this.writer,
      ...(detached
        ? {
            detachedWriter: viaRegion,
            detachedCluster: {
              identifier: `${this.id}-${viaRegion}`,
              endpoint: `${this.id}-${viaRegion}.cluster-example.${viaRegion}.rds.amazonaws.com`,
            },
          }
        : {}),
      status: this.pending === null ? "available" : "failing-over",
      members: regions
        .filter((r) => !this.detached.has(r))
        .map((region) => ({
          region,
          clusterArn: `arn:aws:rds:${region}:123456789012:cluster:${this.id}-${region}`,
          isWriter: region === this.writer,
          status: this.unavailable.has(region) ? "unavailable" : "connected",
          lagSeconds: region === this.writer ? null : (this.lag[region] ?? null),
        })),
    };
  }

  async failover(toRegion: string, viaRegion: string): Promise<void> {
    this.log.add("database", "failover", { to: toRegion, via: viaRegion });
    if (this.failFailover !== undefined) throw this.failFailover;
    this.promote(toRegion);
  }

  async switchover(toRegion: string, viaRegion: string): Promise<void> {
    this.log.add("database", "switchover", { to: toRegion, via: viaRegion });
    if (this.failSwitchover !== undefined) throw this.failSwitchover;
    this.promote(toRegion);
  }

  async removeFromGlobal(region: string, viaRegion: string): Promise<void> {
    this.log.add("database", "removeFromGlobal", { region, via: viaRegion });
    if (this.failRemove !== undefined) throw this.failRemove;
    // The detached cluster takes writes on its own; the global cluster keeps its old writer.
    this.detached.add(region);
  }

  /** Clusters taken out of service. */
  readonly fenced = new Set<string>();

  async fenceCluster(region: string, viaRegion: string): Promise<void> {
    this.log.add("database", "fenceCluster", { region, via: viaRegion });
    if (this.failFence !== undefined) throw this.failFence;
    this.fenced.add(region);
  }

  private promote(to: string): void {
    const old = this.writer;
    this.writer = null;
    this.pending = { to, at: this.clock.now() + this.promotionMs };
    if (old !== null) this.lag[old] = 0;
    delete this.lag[to];
  }

  private settle(): void {
    if (this.pending !== null && this.clock.now() >= this.pending.at) {
      this.writer = this.pending.to;
      this.pending = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Member clusters and the database secret

interface MemoryCluster {
  password: string;
  rpoGuardSeconds: number | null;
  /** A parameter group of its own, which setRpoGuard can change. */
  ownParameterGroup: boolean;
  /** Until this time a new password is pending and the cluster is resetting its credentials. */
  pendingUntil: number | null;
}

/**
 * Each region's member cluster. A new master password is pending for `applyMs` (the cluster reads
 * `resetting-master-credentials`), then in effect and the cluster `available` again.
 */
export class MemoryMemberClusters implements MemberClusters {
  applyMs = 20_000;
  readonly clusters = new Map<string, MemoryCluster>();
  /** Set to make the next calls of that kind throw. */
  failSetPassword: Error | undefined;
  failSetRpoGuard: Error | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: EffectLog,
    regions: readonly string[],
    rpoGuardSeconds: number | null,
  ) {
    for (const r of regions) {
      this.clusters.set(r, {
        password: "initial-password",
        rpoGuardSeconds,
        ownParameterGroup: rpoGuardSeconds !== null,
        pendingUntil: null,
      });
    }
  }

  async describe(region: string): Promise<MemberClusterView> {
    this.log.add("clusters", "describe", { region });
    const c = this.cluster(region);
    const pending = c.pendingUntil !== null && this.clock.now() < c.pendingUntil;
    return {
      status: pending ? "resetting-master-credentials" : "available",
      passwordPending: pending,
      rpoGuardSeconds: c.rpoGuardSeconds,
    };
  }

  async setMasterPassword(region: string, password: string): Promise<void> {
    // The password itself is never logged, as no adapter may print it.
    this.log.add("clusters", "setMasterPassword", { region });
    if (this.failSetPassword !== undefined) throw this.failSetPassword;
    const c = this.cluster(region);
    c.password = password;
    c.pendingUntil = this.clock.now() + this.applyMs;
  }

  async setRpoGuard(region: string, seconds: number): Promise<void> {
    this.log.add("clusters", "setRpoGuard", { region, seconds });
    if (this.failSetRpoGuard !== undefined) throw this.failSetRpoGuard;
    const c = this.cluster(region);
    if (!c.ownParameterGroup) throw new Error(`${region}'s cluster has no parameter group of its own`);
    c.rpoGuardSeconds = seconds;
  }

  private cluster(region: string): MemoryCluster {
    const c = this.clusters.get(region);
    if (c === undefined) throw new Error(`cluster in ${region} not found`);
    return c;
  }
}

/** The database secret's JSON document, written by `putPassword` with every other field kept. */
export class MemoryDatabaseSecret implements DatabaseSecretStore {
  readonly location = "memory database secret";
  failPut: Error | undefined;

  constructor(
    private readonly log: EffectLog,
    public text: string,
  ) {}

  async putPassword(password: string): Promise<void> {
    this.log.add("secret", "putPassword");
    if (this.failPut !== undefined) throw this.failPut;
    const doc: unknown = JSON.parse(this.text);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new Error(`the database secret ${this.location} is not a JSON object`);
    }
    this.text = JSON.stringify({ ...doc, password });
  }
}

// ---------------------------------------------------------------------------------------------
// Sync jobs

export type SyncPolicy = (region: string, now: number) => SyncRunResult;

export class MemorySyncJobs implements SyncJobs {
  runMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly log: EffectLog,
    public policy: SyncPolicy = (_region, now) => ({
      ok: true,
      watermark: new Date(now).toISOString(),
      detail: "synced",
    }),
  ) {}

  async run(region: string, signal?: AbortSignal): Promise<SyncRunResult> {
    this.log.add("sync", "run", { region });
    if (this.runMs > 0) await this.clock.sleep(this.runMs, signal);
    return this.policy(region, this.clock.now());
  }
}

// ---------------------------------------------------------------------------------------------
// Everything together

export interface MemoryPortsOptions {
  /** The stored state to start from; null: nothing stored yet (the config's initial state renders). */
  readonly state?: OperationalState | null;
  readonly clock?: VirtualClock;
}

export interface MemoryPorts {
  readonly ports: Ports;
  readonly clock: VirtualClock;
  readonly log: EffectLog;
  readonly state: MemoryStateStore;
  readonly stack: MemoryStackEngine;
  readonly health: MemoryHealthSource;
  readonly metrics: MemoryMetricsSource;
  readonly database: MemoryGlobalDatabase;
  readonly sync: MemorySyncJobs;
  readonly clusters: MemoryMemberClusters;
  readonly secret: MemoryDatabaseSecret;
  /** The drill's routing controls, every region on; the ports carry it only with `dns.control: arc`. */
  readonly traffic: SimTrafficControl;
}

export function memoryPorts(config: EnvironmentConfig, options: MemoryPortsOptions = {}): MemoryPorts {
  const clock = options.clock ?? new VirtualClock();
  const log = new EffectLog(clock);
  const initial = options.state ?? null;
  const state = new MemoryStateStore(clock, log, initial);
  const stack = new MemoryStackEngine(config, state, clock, log, initial);
  const health = new MemoryHealthSource(clock, log);
  const metrics = new MemoryMetricsSource(log);
  const regions = config.regions.map((r) => r.region);
  const database = new MemoryGlobalDatabase(
    clock,
    log,
    `${config.environment}-global`,
    regions,
    initial?.writer ?? config.writer,
  );
  const sync = new MemorySyncJobs(clock, log);
  const clusters = new MemoryMemberClusters(clock, log, regions, config.database.rpoSeconds ?? null);
  const secret = new MemoryDatabaseSecret(
    log,
    JSON.stringify({
      engine: config.database.engine,
      username: "regionctl_admin",
      password: "initial-password",
    }),
  );
  const traffic = new SimTrafficControl(regions, clock);
  const arc = config.dns.control === "arc" ? { traffic } : {};
  return {
    ports: { clock, state, stack, health, metrics, database, sync, clusters, secret, ...arc },
    traffic,
    clusters,
    secret,
    clock,
    log,
    state,
    stack,
    health,
    metrics,
    database,
    sync,
  };
}

/** How each application version behaves in the fake cloud. Versions not listed are healthy with no errors. */
export interface VersionBehaviour {
  readonly healthy?: boolean;
  readonly errorRate?: number;
}

/**
 * Makes health and metrics follow what the stack deployed: a region is healthy unless the version
 * it serves is unhealthy, and a colour's error rate is its version's. The usual setup for release
 * tests (a bad version fails its gate or its canary analysis wherever it is deployed).
 */
export function followDeployedVersions(
  mem: MemoryPorts,
  versions: Readonly<Record<string, VersionBehaviour>>,
): void {
  const behaviour = (v: string | null): VersionBehaviour => (v === null ? {} : (versions[v] ?? {}));
  mem.health.policy = (region) =>
    behaviour(mem.stack.deployed[region]?.app.servingVersion ?? null).healthy ?? true;
  mem.metrics.policy = (q) => {
    const plan = mem.stack.deployed[q.region];
    if (plan === undefined) return null;
    const version =
      q.color === undefined
        ? plan.app.servingVersion
        : (plan.app.slots.find((s) => s.color === q.color)?.version ?? null);
    return behaviour(version).errorRate ?? 0;
  };
}
