import { type EnvironmentConfig, regionPriority } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { type HealthView, unavailableReason } from "../health/healthView";
import type { GlobalClusterMember, GlobalClusterView } from "../ports";
import type { Refusal, StatePatch } from "./steps";

/**
 * The safety rules the disaster-recovery planners share, in the spirit of Route 53 ARC assertion
 * rules. Each rule has a stable name: refusals, reports and the drill's invariant checker use it.
 */
export const RULES = {
  oneOperation: "one-operation-at-a-time",
  neverZeroServing: "never-zero-serving",
  neverTwoWriters: "never-two-writers",
  targetHealthy: "target-healthy",
  lagWithinBound: "lag-within-bound",
  lagWithinRpo: "lag-within-rpo",
  noPromotionWhileFailing: "no-promotion-while-failing",
  failoverNeedsFailedWriter: "failover-needs-failed-writer",
  switchoverNeedsHealthyWriter: "switchover-needs-healthy-writer",
  memberConnected: "member-connected",
  validTarget: "valid-target",
} as const;

/** Without a managed RPO, a planned switchover still only runs within Aurora's smallest RPO bound. */
export const DEFAULT_SWITCHOVER_LAG_SECONDS = 20;

/**
 * Attempts of a recovery plan's stack update (failover, traffic, repair): an update is idempotent,
 * and what usually fails one (an API error, throttling) passes within seconds. 2, 4, 8 s apart.
 */
export const RECOVERY_UPDATE_ATTEMPTS = 4;

/** Aurora documents managed failover as "a few minutes"; the writer must be confirmed within this. */
export const AWAIT_WRITER_TIMEOUT_SECONDS = 900;

export function refuse(rule: string, reason: string): Refusal {
  return { refused: true, rule, reason };
}

const ACTIVE_PHASES = new Set(["running", "paused", "compensating"]);

/** The operation that blocks a new one, if any. */
export function operationInFlight(state: OperationalState): string | null {
  const op = state.operation;
  return op !== null && ACTIVE_PHASES.has(op.phase) ? `${op.kind} ${op.id} (${op.phase})` : null;
}

/** Regions whose resources stack updates must leave alone. */
export function excludedRegions(state: OperationalState, extra: readonly string[] = []): string[] {
  const set = new Set(extra);
  for (const [region, rs] of Object.entries(state.regions)) if (rs.excluded) set.add(region);
  return [...set].sort();
}

/** Regions that serve traffic once `patches` are applied in order. */
export function servingAfter(state: OperationalState, ...patches: readonly StatePatch[]): string[] {
  const drained = new Map(Object.entries(state.regions).map(([r, rs]) => [r, rs.drained]));
  for (const patch of patches) {
    for (const [region, change] of Object.entries(patch.regions ?? {})) {
      if (change.drained !== undefined) drained.set(region, change.drained);
    }
  }
  return [...drained].filter(([, d]) => !d).map(([r]) => r);
}

/** Every patch of a plan leaves at least one region serving. */
export function checkServing(state: OperationalState, patches: readonly StatePatch[]): Refusal | null {
  for (let i = 1; i <= patches.length; i++) {
    if (servingAfter(state, ...patches.slice(0, i)).length === 0) {
      return refuse(RULES.neverZeroServing, "the plan would leave no region serving traffic");
    }
  }
  return null;
}

export function memberOf(view: GlobalClusterView | null, region: string): GlobalClusterMember | undefined {
  return view?.members.find((m) => m.region === region);
}

/** The database writer must be one of `allowed` (or unknown mid-failover); anything else is a second writer. */
export function checkSingleWriter(
  view: GlobalClusterView | null,
  allowed: readonly string[],
): Refusal | null {
  if (view === null || view.writer === null || allowed.includes(view.writer)) return null;
  return refuse(
    RULES.neverTwoWriters,
    `the global database's writer is ${view.writer}, not ${allowed.join(" or ")} as the operational state says; ` +
      "reconcile the state with the database before moving the writer",
  );
}

export interface CandidateAssessment {
  readonly region: string;
  readonly lagSeconds: number | null;
  /** Null when the region may take the writer. */
  readonly rejection: { readonly rule: string; readonly reason: string } | null;
}

export interface AssessOptions {
  readonly maxLagSeconds: number;
  readonly lagRule: string;
  /** Member statuses a target may have. */
  readonly acceptStatus: (status: string) => boolean;
  /** A person may accept a target whose lag nobody could measure. */
  readonly allowUnknownLag?: boolean;
}

/** Whether `region` may become the writer: healthy, in stack management, a member, lag in bound. */
export function assessCandidate(
  region: string,
  state: OperationalState,
  health: HealthView,
  database: GlobalClusterView | null,
  options: AssessOptions,
): CandidateAssessment {
  const reject = (rule: string, reason: string, lagSeconds: number | null = null): CandidateAssessment => ({
    region,
    lagSeconds,
    rejection: { rule, reason: `${region}: ${reason}` },
  });
  const rs = state.regions[region];
  if (rs === undefined) return reject(RULES.validTarget, "not a region of this environment");
  const why = unavailableReason(health, region);
  if (why !== null) return reject(RULES.targetHealthy, why);
  if (rs.excluded)
    return reject(RULES.targetHealthy, `excluded from stack updates (${rs.note ?? "impaired"})`);
  if (database === null) {
    return options.allowUnknownLag === true
      ? { region, lagSeconds: null, rejection: null }
      : reject(options.lagRule, "replication lag unknown: the global database could not be described");
  }
  const member = memberOf(database, region);
  if (member === undefined)
    return reject(RULES.memberConnected, "its cluster is not a member of the global database");
  if (!options.acceptStatus(member.status)) {
    return reject(RULES.memberConnected, `its cluster is ${member.status}`, member.lagSeconds);
  }
  if (member.lagSeconds === null) {
    return options.allowUnknownLag === true
      ? { region, lagSeconds: null, rejection: null }
      : reject(options.lagRule, "replication lag unknown");
  }
  if (member.lagSeconds > options.maxLagSeconds) {
    return reject(
      options.lagRule,
      `replication lag ${formatSeconds(member.lagSeconds)} exceeds ${formatSeconds(options.maxLagSeconds)}`,
      member.lagSeconds,
    );
  }
  return { region, lagSeconds: member.lagSeconds, rejection: null };
}

/** Least lag first (unknown lag last), then priority, then config order. */
export function byLagThenPriority(
  config: EnvironmentConfig,
  writer: string,
): (a: CandidateAssessment, b: CandidateAssessment) => number {
  const order = new Map(config.regions.map((r, i) => [r.region, i]));
  return (a, b) =>
    (a.lagSeconds ?? Number.POSITIVE_INFINITY) - (b.lagSeconds ?? Number.POSITIVE_INFINITY) ||
    regionPriority(config, a.region, writer) - regionPriority(config, b.region, writer) ||
    (order.get(a.region) ?? 0) - (order.get(b.region) ?? 0);
}

/** Regions other than `writer` that are unhealthy or held out while still in traffic. */
export function failingRegions(
  state: OperationalState,
  health: HealthView,
  ignore: readonly string[] = [],
): string[] {
  return Object.entries(state.regions)
    .filter(([region, rs]) => !rs.drained && !ignore.includes(region))
    .filter(([region]) => unavailableReason(health, region) !== null)
    .map(([region]) => region)
    .sort();
}

export function formatSeconds(s: number): string {
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}
