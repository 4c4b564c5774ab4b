import type { OperationalState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import { sampleHealthy } from "../health/sampleVerdict";
import type { HealthSample } from "../ports";
import { controllerDetectionSeconds, promotionSeconds } from "./floor";
import { drillSeconds } from "./recorder";
import { ProbeLog } from "./probeLog";
import type { SimCloud } from "./simCloud";
import type { SimGlobalDatabase } from "./simDatabase";

/** The safety rules every drill checks. Names match the planners' rule names. */
export const INVARIANTS = {
  neverZeroServing: "never-zero-serving",
  neverTwoWriters: "never-two-writers",
  neverZeroWriters: "never-zero-writers",
  noImpairedRegionCalls: "no-impaired-region-calls",
  noPromotionWhileFailing: "no-promotion-while-failing",
  noHalfFinishedVersion: "no-half-finished-version",
  outcomeRecorded: "operation-outcome-recorded",
  neverTwoLeaders: "never-two-leaders",
} as const;

export interface InvariantViolation {
  readonly atSeconds: number;
  readonly rule: string;
  readonly region?: string;
  readonly message: string;
}

export interface OperationSeen {
  readonly id: string;
  readonly kind: string;
  readonly phase: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly reason: string | null;
}

/**
 * How long past the writer path's floor (detection + promotion, or a switchover) the service may go
 * without a writer: room for a retried API call or two, not for a stuck plan.
 */
export const ZERO_WRITERS_MARGIN_SECONDS = 60;

const TERMINAL = new Set(["succeeded", "failed", "rolledback", "aborted"]);
const IN_FLIGHT = new Set(["running", "compensating"]);

/**
 * Watches the drill as it runs: every state write, every stack update, every simulated second, and
 * the end. A condition that holds over a stretch of time is reported once, when it starts.
 */
export class InvariantChecker {
  readonly violations: InvariantViolation[] = [];
  private readonly open = new Set<string>();
  /** Every direct probe answer the controller got, for the floor of partial faults. */
  readonly probes = new ProbeLog();
  /** Consecutive unhealthy samples per region, as the controller saw them. */
  private readonly failingStreak = new Map<string, number>();
  /** Every operation seen in the state, with its latest phase: the history is bounded, this is not. */
  readonly operations = new Map<string, OperationSeen>();
  /** Since when (ms) no region has accepted writes, or null while one does. */
  private zeroWritersSince: number | null = null;
  /** When the region a promotion was moving the writer to failed: a new fault, with its own floor. */
  private targetLostAt: number | null = null;
  /** Every watcher replica's leadership terms: when each began (ms), by replica. */
  private readonly terms: { readonly replica: string; readonly startedAt: number }[] = [];

  constructor(
    private readonly cloud: SimCloud,
    private readonly database: SimGlobalDatabase,
    private readonly failureThreshold: number,
  ) {
    cloud.onApiCall = (service, region, what) => this.onApiCall(service, region, what);
  }

  /**
   * The controller called a regional API. Judged on the simulation's truth, not on what the
   * controller believed: a call into a region whose control plane has been down for a whole
   * detection window breaks the blast-radius rule. Inside that window no controller can know yet.
   * Reported once per service and region in each outage.
   */
  onApiCall(service: string, region: string, what: string): void {
    const now = this.cloud.clock.now();
    if (this.cloud.controlPlaneUp(region, now)) return;
    const since = this.cloud.faultedSince(region, now) ?? now;
    if (now - since < this.detectionWindowMs()) return;
    const key = `call/${service}/${region}/${since}`;
    if (this.open.has(key)) return;
    this.open.add(key);
    this.report(
      INVARIANTS.noImpairedRegionCalls,
      `the controller called ${service} (${what}) in ${region} during its outage`,
      region,
    );
  }

  /** A check interval per failure, one more interval for the tick's phase, and a probe timeout. */
  private detectionWindowMs(): number {
    const s = this.cloud.scenario.healthCheck;
    return (s.intervalSeconds * (this.failureThreshold + 1) + s.timeoutSeconds) * 1000;
  }

  /**
   * The promotion's target failed mid-promotion. The writer gap it causes is judged from then: no
   * controller could have known the target would die, so the floor of the new fault starts now.
   */
  promotionTargetLost(ms: number): void {
    this.targetLostAt = ms;
  }

  /** A watcher replica took the leadership lease at `ms`. */
  leaderTerm(replica: string, ms: number): void {
    this.terms.push({ replica, startedAt: ms });
  }

  /**
   * A replica changed the environment under its term that began at `termStart`. Another
   * replica's term that began since (or at the same instant), by now, makes two leaders acting in
   * overlapping terms: the older one should have stopped when its lease lapsed.
   */
  leaderAction(replica: string, termStart: number, what: string): void {
    const now = this.cloud.clock.now();
    const newer = this.terms.find(
      (t) => t.replica !== replica && t.startedAt >= termStart && t.startedAt <= now,
    );
    if (newer === undefined) return;
    const key = `leaders/${replica}/${termStart}/${newer.replica}`;
    if (this.open.has(key)) return;
    this.open.add(key);
    this.report(
      INVARIANTS.neverTwoLeaders,
      `the watcher in ${replica} acted (${what}) under its term of ${drillSeconds(termStart)} s after the watcher in ${newer.replica} took the lead at ${drillSeconds(newer.startedAt)} s`,
    );
  }

  /** The longest a correct controller may leave the service with no writer. */
  zeroWritersAllowanceSeconds(): number {
    const s = this.cloud.scenario;
    const promotion = Math.max(promotionSeconds(s), s.database.switchoverSeconds);
    return controllerDetectionSeconds(s) + promotion + ZERO_WRITERS_MARGIN_SECONDS;
  }

  private report(rule: string, message: string, region?: string): void {
    const atSeconds = drillSeconds(this.cloud.clock.now());
    this.violations.push(
      region === undefined ? { atSeconds, rule, message } : { atSeconds, rule, region, message },
    );
    this.cloud.recorder.log("check", "violation", `${rule}: ${message}`, region);
  }

  /** Reports a lasting condition once per stretch. */
  private hold(key: string, violated: boolean, rule: string, message: () => string, region?: string): void {
    if (!violated) {
      this.open.delete(key);
    } else if (!this.open.has(key)) {
      this.open.add(key);
      this.report(rule, message(), region);
    }
  }

  /** The controller's own view: regions whose last `failureThreshold` samples all failed. */
  observe(sample: HealthSample): void {
    const n = sampleHealthy(sample) ? 0 : (this.failingStreak.get(sample.region) ?? 0) + 1;
    this.failingStreak.set(sample.region, n);
  }

  /**
   * Failing as the controller knows it: marked out of service in the state, or faulted for a whole
   * detection window (a check interval per failure, one more interval and a probe timeout) and seen
   * failing that many times in a row by the controller's own observations.
   */
  private knownFailing(state: OperationalState | null): string[] {
    const window = this.detectionWindowMs();
    const now = this.cloud.clock.now();
    return this.cloud.regions.filter((r) => {
      const since = this.cloud.faultedSince(r, now);
      const seen =
        (this.failingStreak.get(r) ?? 0) >= this.failureThreshold && since !== null && now - since >= window;
      const marked =
        state?.regions[r] !== undefined && (state.regions[r].drained || state.regions[r].excluded);
      return seen || marked;
    });
  }

  onStateWrite(before: OperationalState | null, after: OperationalState): void {
    const serving = Object.values(after.regions).filter((r) => !r.drained).length;
    this.hold(
      "state-zero-serving",
      serving === 0 && this.cloud.anyRegionUp(),
      INVARIANTS.neverZeroServing,
      () => "the operational state takes every region out of traffic while a region is up",
    );
    const op = after.operation;
    for (const o of [...after.history, ...(op === null ? [] : [op])]) {
      const seen = this.operations.get(o.id);
      if (seen === undefined || seen.phase !== o.phase || seen.reason !== o.reason) {
        this.operations.set(o.id, {
          id: o.id,
          kind: o.kind,
          phase: o.phase,
          startedAt: o.startedAt,
          finishedAt: o.finishedAt,
          reason: o.reason,
        });
      }
    }
    const prev = before?.operation ?? null;
    if (
      prev !== null &&
      op === null &&
      !TERMINAL.has(after.history.find((h) => h.id === prev.id)?.phase ?? "")
    ) {
      this.report(
        INVARIANTS.outcomeRecorded,
        `operation ${prev.id} left the state without a recorded outcome`,
      );
    }
    if (op === null && prev !== null) this.checkVersionsRecorded(after, false);
  }

  /** A stack update is starting: a promotion step must not run while a region is failing. */
  onStackUpdate(state: OperationalState | null, regions: readonly string[]): void {
    const op = state?.operation ?? null;
    if (op === null || op.kind !== "deploy" || op.phase !== "running") return;
    const failing = this.knownFailing(state);
    if (failing.length > 0) {
      this.report(
        INVARIANTS.noPromotionWhileFailing,
        `promotion ${op.id} updated ${regions.join(", ") || "the stack"} while ${failing.join(", ")} ${failing.length > 1 ? "were" : "was"} failing`,
      );
    }
  }

  /** Runs every simulated second; `writers` are the database's writers now, when the caller has them. */
  onSecond(ms: number, writers: readonly string[] = this.database.writersNow()): void {
    this.checkZeroWriters(ms, writers.length);
    this.hold(
      "two-writers",
      writers.length > 1,
      INVARIANTS.neverTwoWriters,
      () => `${writers.join(" and ")} both accept writes`,
    );
    const live = this.cloud.liveRecordsNow();
    this.hold(
      "live-zero-serving",
      live.length === 0 && this.cloud.anyRegionUp(ms),
      INVARIANTS.neverZeroServing,
      () => "no region's DNS record is in service while a region is up",
    );
  }

  /**
   * No writer for longer than the writer path's floor plus a margin while some region is up and
   * its cluster could take the writes. Manual failover leaves the promotion to an operator, so it is not judged.
   */
  private checkZeroWriters(ms: number, writers: number): void {
    if (writers > 0) {
      this.zeroWritersSince = null;
      this.open.delete("zero-writers");
      return;
    }
    // With every region down, or no cluster up that could take the writes without losing data,
    // nothing could: the gap a controller answers for starts when one can.
    if (!this.database.anyClusterCouldWrite(ms)) {
      this.zeroWritersSince = null;
      this.open.delete("zero-writers");
      return;
    }
    this.zeroWritersSince ??= ms;
    const since = Math.max(this.zeroWritersSince, this.targetLostAt ?? Number.NEGATIVE_INFINITY);
    const allowed = this.zeroWritersAllowanceSeconds() * 1000;
    this.hold(
      "zero-writers",
      this.cloud.config.failover.mode === "auto" && ms - since > allowed,
      INVARIANTS.neverZeroWriters,
      () =>
        `no region has accepted writes for ${Math.round((ms - (this.zeroWritersSince ?? ms)) / 1000)} s (allowed ${allowed / 1000} s from the last fault) while a region could take them`,
    );
  }

  /**
   * A region is on a half-finished version without a record when nothing in the state explains it:
   * a canary split or a mixed fleet with no operation in flight and no failed release recorded, or
   * (at the end) a region running something other than what the state says, with no stack update
   * pending.
   */
  private checkVersionsRecorded(state: OperationalState, final: boolean): void {
    if (state.operation !== null) return;
    for (const [region, rs] of Object.entries(state.regions)) {
      if (rs.canaryWeight !== null && rs.canaryWeight > 0 && rs.canaryWeight < 100) {
        this.report(
          INVARIANTS.noHalfFinishedVersion,
          `${region} keeps a ${rs.canaryWeight} % canary with no operation in flight`,
          region,
        );
      }
    }
    const versions = new Set(Object.values(state.regions).map((r) => r.version));
    const recordedFailure = Object.values(state.regions).some(
      (r) => r.releaseStatus === "failed" || r.releaseStatus === "rollback_failed" || r.excluded || r.drained,
    );
    if (versions.size > 1 && !recordedFailure) {
      const list = Object.entries(state.regions)
        .map(([r, s]) => `${r} ${s.version}`)
        .join(", ");
      this.report(
        INVARIANTS.noHalfFinishedVersion,
        `regions run different versions (${list}) with no operation in flight and no failed release recorded`,
      );
    }
    // A stack update the state queues (deferredStackUpdate) is its record that the stack lags it:
    // `status` shows it and the watcher retries it, or reports it for a person in manual mode.
    if (!final || (state.deferredStackUpdate ?? null) !== null) return;
    const plan = planTopology(this.cloud.config, state);
    const now = this.cloud.clock.now();
    for (const rp of plan.regions) {
      const rs = state.regions[rp.region];
      const recorded =
        rs.excluded || rs.note !== null || state.replicationQueue.some((q) => q.region === rp.region);
      if (recorded || !this.cloud.controlPlaneUp(rp.region, now)) continue;
      const app = this.cloud.appAt(rp.region, now);
      if (JSON.stringify(app) !== JSON.stringify(rp.app)) {
        this.report(
          INVARIANTS.noHalfFinishedVersion,
          `${rp.region} runs ${app.servingVersion} (${app.activeColor}${app.canaryWeight === null ? "" : `, canary ${app.canaryWeight} %`}) but the state says ${rp.app.servingVersion} (${rp.app.activeColor}), with no record of why`,
          rp.region,
        );
      }
    }
  }

  /** The end of the drill, once operations in flight have finished or stopped. */
  finish(state: OperationalState | null, errors: readonly { id: string; message: string }[]): void {
    for (const e of errors) {
      this.report(
        INVARIANTS.outcomeRecorded,
        `operation ${e.id} ended with an error and no recorded outcome: ${e.message}`,
      );
    }
    if (state === null) return;
    const op = state.operation;
    if (op !== null && IN_FLIGHT.has(op.phase)) {
      this.report(
        INVARIANTS.outcomeRecorded,
        `operation ${op.id} is still ${op.phase} at the end of the drill`,
      );
    }
    for (const seen of this.operations.values()) {
      const current = op !== null && op.id === seen.id;
      if (!current && !TERMINAL.has(seen.phase)) {
        this.report(INVARIANTS.outcomeRecorded, `${seen.kind} operation ${seen.id} has no recorded outcome`);
      }
    }
    this.checkVersionsRecorded(state, true);
  }
}
