import type { EnvironmentConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import {
  type DnsRecordPlan,
  type EnvironmentPlan,
  type RegionPlan,
  planTopology,
} from "../../components/topology";
import { draw } from "./random";
import type { Recorder } from "./recorder";
import { ControlPlanePlacement } from "./placement";
import { EndpointCheckers, type ProbeConditions } from "./route53Checkers";
import { route53IntervalSeconds } from "./route53Interval";
import type { ApiService, Scenario } from "./scenario";
import type { VirtualClock } from "./virtualClock";

/** A region's condition from an instant on, as the scenario's faults leave it. */
interface Condition {
  readonly from: number;
  readonly up: boolean;
  readonly flap: { readonly start: number; readonly halfPeriodMs: number } | null;
  readonly degrade: { readonly errorRate: number; readonly latencyMs: number | null } | null;
}

/** What runs in a region: the last applied app part of its topology plan. */
export type AppliedApp = RegionPlan["app"];

interface Applied<T> {
  readonly from: number;
  readonly value: T;
}

export interface VersionBehaviour {
  readonly errorRate: number;
  readonly latencyMs: number;
}

/** Parameters of the simulation that are not in the scenario file: the benchmark's baseline uses them. */
export interface SimOptions {
  /** Observe regions one after another, with no client timeout (the benchmark baseline's serial health checker). */
  readonly sequentialProbes?: boolean;
  /** How long a probe of an unreachable region hangs when there is no client timeout. */
  readonly unboundedProbeSeconds?: number;
  /**
   * A watcher round that overran its slot waits for the slot after, instead of starting at once:
   * the benchmark baseline's loop, whose hung serial rounds leave every other slot unobserved.
   */
  readonly skipOverrunSlots?: boolean;
  /**
   * Every watcher replica acts as if it led, with no lease and no fence: a broken controller the
   * invariant tests use to see two leaders reported.
   */
  readonly leaderless?: boolean;
}

/**
 * The simulated cloud's world: each region's condition, what the last stack updates applied (app
 * and DNS record per region), Route 53 health checkers and answers, and injected API errors. The
 * ports in this folder read and change it; the runner samples it every simulated second.
 */
export class SimCloud {
  readonly regions: readonly string[];
  readonly ttlMs: number;
  readonly timeoutMs: number;
  /** Where the watchers, the state store and the Pulumi backend run, and which are down. */
  readonly placement: ControlPlanePlacement;
  private readonly conditions = new Map<string, Condition[]>();
  private readonly apps = new Map<string, Applied<AppliedApp>[]>();
  /** The writer each region's app sends its writes to (its DATABASE_WRITER_ENDPOINT), as last applied. */
  private readonly appWriters = new Map<string, Applied<string>[]>();
  private readonly records = new Map<string, Applied<DnsRecordPlan>>();
  private readonly checkers = new Map<string, EndpointCheckers>();
  private readonly apiErrors = new Map<string, number>();
  private readonly stackFailures = new Map<string, number>();
  private readonly versions: Readonly<Record<string, VersionBehaviour>>;
  private currentConfig: EnvironmentConfig;
  /**
   * When the world last changed (a fault, an applied update, a new config). From then on, until the
   * next change, a region that does not flap meets the same conditions: the monitor samples every
   * second and the watcher probes every region each tick, so those answers are kept until it moves.
   */
  private changedAt = Number.NEGATIVE_INFINITY;
  /** Counts the world's changes: equal numbers, the same world (but for flapping and Route 53). */
  private changes = 0;
  private flapSeen: boolean | null = null;
  private readonly steady = new Map<string, ProbeConditions>();
  private liveRecords: string[] | null = null;
  /**
   * With `dns.control: arc`, the regions whose routing control is on, over time: each record's
   * RECOVERY_CONTROL health check follows its control at once. Null: endpoint health checks.
   */
  private routingControls: Applied<ReadonlySet<string>>[] | null = null;

  constructor(
    readonly scenario: Scenario,
    config: EnvironmentConfig,
    readonly seed: number,
    readonly clock: VirtualClock,
    readonly recorder: Recorder,
    readonly options: SimOptions = {},
  ) {
    this.currentConfig = config;
    this.placement = new ControlPlanePlacement(scenario.controlPlane);
    this.regions = scenario.regions;
    this.versions = scenario.versions;
    this.ttlMs = scenario.dnsTtlSeconds * 1000;
    this.timeoutMs = scenario.healthCheck.timeoutSeconds * 1000;
    const start = clock.now();
    const plan = planTopology(config, initialState(config));
    for (const rp of plan.regions) {
      this.conditions.set(rp.region, [{ from: start, up: true, flap: null, degrade: null }]);
      this.apps.set(rp.region, [{ from: start, value: rp.app }]);
      this.appWriters.set(rp.region, [{ from: start, value: plan.writer }]);
      this.records.set(rp.region, { from: start, value: rp.dns });
      this.checkers.set(
        rp.region,
        new EndpointCheckers(
          rp.region,
          {
            seed,
            checkers: scenario.simulation.checkers,
            intervalMs: route53IntervalSeconds(scenario) * 1000,
            failureThreshold: scenario.healthCheck.failureThreshold,
            timeoutMs: this.timeoutMs,
          },
          start,
          (ms) => this.probeConditions(rp.region, ms),
          () => (this.conditionAt(rp.region, this.clock.now()).flap === null ? this.changedAt : null),
        ),
      );
    }
  }

  /** The environment config the controller currently runs with (a deploy changes its version). */
  get config(): EnvironmentConfig {
    return this.currentConfig;
  }

  set config(config: EnvironmentConfig) {
    this.currentConfig = config;
    this.changed();
  }

  /** Changes whenever a fault, an applied update or a new config changes the world. */
  generation(): number {
    return this.changes;
  }

  /** Some region flaps now: its endpoint comes and goes without an event. */
  flapping(): boolean {
    this.flapSeen ??= this.regions.some((r) => this.conditionAt(r, this.clock.now()).flap !== null);
    return this.flapSeen;
  }

  private changed(): void {
    this.changes++;
    this.flapSeen = null;
    this.changedAt = this.clock.now();
    this.steady.clear();
    this.liveRecords = null;
  }

  // ------------------------------------------------------------------------------------------
  // Faults

  private setCondition(region: string, change: Partial<Omit<Condition, "from">>): void {
    const list = this.conditionList(region);
    const last = list[list.length - 1];
    list.push({ ...last, ...change, from: this.clock.now() });
    this.changed();
  }

  /** Takes the region down, with every control-plane part placed there. */
  outage(region: string): void {
    this.placement.outage(region);
    if (this.conditions.has(region)) this.setCondition(region, { up: false });
    else this.changed();
  }

  /** Ends every fault of the region: outage, flapping, degradation. */
  recover(region: string): void {
    this.placement.recover(region);
    if (this.conditions.has(region)) this.setCondition(region, { up: true, flap: null, degrade: null });
    else this.changed();
  }

  degrade(region: string, errorRate: number, latencyMs: number | null): void {
    this.setCondition(region, { degrade: { errorRate, latencyMs } });
  }

  flap(region: string, periodSeconds: number): void {
    this.setCondition(region, {
      flap: { start: this.clock.now(), halfPeriodMs: (periodSeconds * 1000) / 2 },
    });
  }

  injectApiErrors(service: ApiService, region: string, count: number): void {
    const key = `${service}/${region}`;
    this.apiErrors.set(key, (this.apiErrors.get(key) ?? 0) + count);
  }

  injectStackFailures(region: string, count: number): void {
    this.stackFailures.set(region, (this.stackFailures.get(region) ?? 0) + count);
  }

  // ------------------------------------------------------------------------------------------
  // Region conditions

  private conditionList(region: string): Condition[] {
    const list = this.conditions.get(region);
    if (list === undefined) throw new Error(`the drill has no region ${region}`);
    return list;
  }

  private conditionAt(region: string, ms: number): Condition {
    const list = this.conditionList(region);
    for (let i = list.length - 1; i > 0; i--) if (list[i].from <= ms) return list[i];
    return list[0];
  }

  /** Whether the region's endpoint answers at `ms` (down in an outage and in a flap's down half). */
  upAt(region: string, ms: number): boolean {
    const c = this.conditionAt(region, ms);
    if (!c.up) return false;
    if (c.flap === null) return true;
    return Math.floor((ms - c.flap.start) / c.flap.halfPeriodMs) % 2 === 1;
  }

  /** Whether the region's control plane (AWS and Kubernetes APIs) answers: down only in an outage. */
  controlPlaneUp(region: string, ms = this.clock.now()): boolean {
    return this.conditionAt(region, ms).up;
  }

  anyRegionUp(ms = this.clock.now()): boolean {
    return this.regions.some((r) => this.upAt(r, ms));
  }

  /** When the fault in effect now began (ms), or null when the region has none. */
  faultedSince(region: string, ms = this.clock.now()): number | null {
    const list = this.conditionList(region);
    let since: number | null = null;
    for (const c of list) {
      if (c.from > ms) break;
      const faulted = !c.up || c.flap !== null || c.degrade !== null;
      if (!faulted) since = null;
      else since ??= c.from;
    }
    return since;
  }

  /** A fault is in effect (outage, flapping or degradation). */
  faulted(region: string, ms = this.clock.now()): boolean {
    const c = this.conditionAt(region, ms);
    return !c.up || c.flap !== null || c.degrade !== null;
  }

  // ------------------------------------------------------------------------------------------
  // Application behaviour

  appAt(region: string, ms: number): AppliedApp {
    const list = this.apps.get(region) ?? [];
    for (let i = list.length - 1; i > 0; i--) if (list[i].from <= ms) return list[i].value;
    return list[0].value;
  }

  /** The writer region the region's app sends its writes to at `ms`. */
  appWriterAt(region: string, ms: number): string {
    const list = this.appWriters.get(region) ?? [];
    for (let i = list.length - 1; i > 0; i--) if (list[i].from <= ms) return list[i].value;
    return list[0].value;
  }

  /**
   * Whether some application sends writes to `writer`'s cluster at `ms`: a region that is up, in
   * Route 53's records (it gets requests), whose app was last configured with that writer.
   */
  receivesWrites(writer: string, ms: number): boolean {
    const live = this.liveRecordsNow();
    return this.regions.some(
      (r) => live.includes(r) && this.upAt(r, ms) && this.appWriterAt(r, ms) === writer,
    );
  }

  private behaviour(version: string | null): VersionBehaviour {
    if (version === null) return { errorRate: 1, latencyMs: 0 };
    return this.versions[version] ?? { errorRate: 1, latencyMs: 0 };
  }

  /** Error rate and latency of one colour's pods, or null when that colour runs no pods. */
  colorBehaviour(region: string, color: "blue" | "green", ms: number): VersionBehaviour | null {
    const slot = this.appAt(region, ms).slots.find((s) => s.color === color);
    if (slot === undefined || slot.replicas === 0 || slot.version === null) return null;
    return this.withDegrade(region, ms, this.behaviour(slot.version));
  }

  /** Share of the region's traffic each colour gets: the selector's colour, or the canary split. */
  trafficShares(region: string, ms: number): { color: "blue" | "green"; share: number }[] {
    const app = this.appAt(region, ms);
    const idle = app.activeColor === "blue" ? "green" : "blue";
    if (app.selectorColor === null && app.canaryWeight !== null) {
      const w = app.canaryWeight / 100;
      return [
        { color: app.activeColor, share: 1 - w },
        { color: idle, share: w },
      ];
    }
    return [{ color: app.selectorColor ?? app.activeColor, share: 1 }];
  }

  private withDegrade(region: string, ms: number, b: VersionBehaviour): VersionBehaviour {
    const d = this.conditionAt(region, ms).degrade;
    if (d === null) return b;
    return { errorRate: Math.max(b.errorRate, d.errorRate), latencyMs: d.latencyMs ?? b.latencyMs };
  }

  /** What a request to the region meets at `ms`. */
  probeConditions(region: string, ms: number): ProbeConditions {
    if (ms < this.changedAt) return this.conditionsAt(region, ms);
    const kept = this.steady.get(region);
    if (kept !== undefined) return kept;
    const c = this.conditionsAt(region, ms);
    if (this.conditionAt(region, ms).flap === null) this.steady.set(region, c);
    return c;
  }

  private conditionsAt(region: string, ms: number): ProbeConditions {
    if (!this.upAt(region, ms))
      return { reachable: false, errorRate: 1, latencyMs: Number.POSITIVE_INFINITY };
    let errorRate = 0;
    let latencyMs = 0;
    for (const { color, share } of this.trafficShares(region, ms)) {
      const b = this.colorBehaviour(region, color, ms) ?? { errorRate: 1, latencyMs: 0 };
      errorRate += share * b.errorRate;
      latencyMs += share * b.latencyMs;
    }
    return { reachable: true, errorRate, latencyMs };
  }

  /** The truth the checker judges RTO by: answering, mostly without errors, within the timeout. */
  actuallyHealthy(region: string, ms: number): boolean {
    const c = this.probeConditions(region, ms);
    return (
      c.reachable &&
      c.errorRate < this.config.release.rollbackErrorRate &&
      c.latencyMs + 300 <= this.timeoutMs
    );
  }

  /** The region's served version (what most of its traffic sees). */
  servedVersion(region: string, ms: number): string {
    return this.appAt(region, ms).servingVersion;
  }

  // ------------------------------------------------------------------------------------------
  // Route 53

  route53Fraction(region: string, ms = this.clock.now()): number {
    const c = this.checkers.get(region);
    if (c === undefined) throw new Error(`the drill has no region ${region}`);
    return c.fractionAt(ms);
  }

  /** Whether Route 53 takes the region's record as healthy: its routing control with ARC, else its checkers. */
  route53Healthy(region: string, ms = this.clock.now()): boolean {
    if (this.routingControls !== null) return this.routingControlOn(region, ms);
    return this.checkers.get(region)?.healthyAt(ms) ?? false;
  }

  /** The records answer to routing controls from now on; `on` are the regions on. */
  routingControlsChanged(on: readonly string[]): void {
    this.routingControls ??= [];
    this.routingControls.push({ from: this.clock.now(), value: new Set(on) });
    this.changed();
  }

  private routingControlOn(region: string, ms: number): boolean {
    const list = this.routingControls ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].from <= ms) return list[i].value.has(region);
    return false;
  }

  /** Route 53's verdicts on every region at `ms`: bit i is set when it sees region i healthy. */
  route53Verdicts(ms: number): number {
    // Asked every simulated second: a plain loop, no closure.
    let bits = 0;
    for (let i = 0; i < this.regions.length; i++) {
      if (this.route53Healthy(this.regions[i], ms)) bits += 2 ** i;
    }
    return bits;
  }

  record(region: string): DnsRecordPlan {
    const r = this.records.get(region);
    if (r === undefined) throw new Error(`the drill has no region ${region}`);
    return r.value;
  }

  /** Regions whose live record is in service (not drained, weight above 0). */
  recordsInService(): string[] {
    return [...this.liveRecordsNow()];
  }

  /** `recordsInService` without the copy, for the questions asked every sampled second. */
  liveRecordsNow(): readonly string[] {
    this.liveRecords ??= this.regions.filter((r) => {
      const rec = this.record(r);
      return rec.serving && (rec.weight === null || rec.weight > 0);
    });
    return this.liveRecords;
  }

  /**
   * The regions Route 53 answers with at `ms`, from the live records and the checkers' verdicts.
   * When every candidate is unhealthy Route 53 fails open and answers as if all were healthy.
   */
  dnsAnswer(ms: number): string[] {
    const live = this.liveRecordsNow();
    const healthy = (rs: readonly string[]): string[] => rs.filter((r) => this.route53Healthy(r, ms));
    if (this.config.dns.routing === "failover") {
      const primaries = live.filter((r) => this.record(r).failoverRole === "PRIMARY");
      // Two PRIMARY records only exist for an instant between updates: the newest one wins.
      const primary = primaries.sort(
        (a, b) => (this.records.get(b)?.from ?? 0) - (this.records.get(a)?.from ?? 0),
      )[0];
      if (primary !== undefined && this.route53Healthy(primary, ms)) return [primary];
      const secondaries = live.filter((r) => this.record(r).failoverRole === "SECONDARY");
      const up = healthy(secondaries);
      if (up.length > 0) return up;
      return primary !== undefined ? [primary] : secondaries;
    }
    const up = healthy(live);
    return up.length > 0 ? up : [...live];
  }

  // ------------------------------------------------------------------------------------------
  // API faults

  /** Hears every call the controller makes to a regional API (the invariant checker listens). */
  onApiCall: (service: ApiService, region: string, what: string) => void = () => {};

  /** Records a call to `service` in `region`, before the call meets whatever state the region is in. */
  apiCall(service: ApiService, region: string, what: string): void {
    this.onApiCall(service, region, what);
  }

  /** Consumes one injected error of `service` in `region`, if any is left. */
  takeApiError(service: ApiService, region: string): boolean {
    const key = `${service}/${region}`;
    const left = this.apiErrors.get(key) ?? 0;
    if (left <= 0) return false;
    this.apiErrors.set(key, left - 1);
    this.recorder.log(
      "cloud",
      "api-error",
      `${service} API in ${region} returned an injected error (${left - 1} left)`,
      region,
    );
    return true;
  }

  takeStackFailure(region: string): boolean {
    const left = this.stackFailures.get(region) ?? 0;
    if (left <= 0) return false;
    this.stackFailures.set(region, left - 1);
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Stack updates apply the topology plan

  /**
   * Applies `plan` at the current instant: the app of each region in `appRegions` (its RegionStack
   * subtree) and, when `dns` is set, every region's record (the global FailoverRouting component).
   */
  apply(plan: EnvironmentPlan, appRegions: readonly string[], dns: boolean): string[] {
    const now = this.clock.now();
    const changed: string[] = [];
    for (const d of this.diff(plan, appRegions, dns)) {
      const rp = plan.regions.find((r) => r.region === d.region) as RegionPlan;
      if (d.part === "app") {
        this.apps.get(rp.region)?.push({ from: now, value: rp.app });
        if (this.appWriterAt(rp.region, now) !== plan.writer)
          this.appWriters.get(rp.region)?.push({ from: now, value: plan.writer });
      } else this.records.set(rp.region, { from: now, value: rp.dns });
      changed.push(`${d.region} ${d.part}`);
    }
    if (changed.length > 0) this.changed();
    return changed;
  }

  /** What an update would change (empty: a no-op update). */
  diff(
    plan: EnvironmentPlan,
    appRegions: readonly string[],
    dns: boolean,
  ): { region: string; part: "app" | "dns" }[] {
    const now = this.clock.now();
    const out: { region: string; part: "app" | "dns" }[] = [];
    for (const rp of plan.regions) {
      if (
        appRegions.includes(rp.region) &&
        (JSON.stringify(this.appAt(rp.region, now)) !== JSON.stringify(rp.app) ||
          this.appWriterAt(rp.region, now) !== plan.writer)
      ) {
        out.push({ region: rp.region, part: "app" });
      }
      if (dns && JSON.stringify(this.record(rp.region)) !== JSON.stringify(rp.dns))
        out.push({ region: rp.region, part: "dns" });
    }
    return out;
  }

  /** A per-region draw, stable for the seed (replication lag, probe noise). */
  draw(...key: (string | number)[]): number {
    return draw(this.seed, ...key);
  }
}
