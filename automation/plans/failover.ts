import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { type HealthView, regionAvailable, unavailableReason } from "../health/healthView";
import type { GlobalClusterView } from "../ports";
import {
  AWAIT_WRITER_TIMEOUT_SECONDS,
  type CandidateAssessment,
  RECOVERY_UPDATE_ATTEMPTS,
  RULES,
  assessCandidate,
  byLagThenPriority,
  checkServing,
  excludedRegions,
  formatSeconds,
  operationInFlight,
  refuse,
} from "./failoverSafety";
import { decideRpoGuard, rpoGuardSteps } from "./rpoGuard";
import type { Plan, Refusal, StatePatch, Step } from "./steps";
import { trafficFlip, usesArc } from "./trafficControl";

/**
 * Unplanned failover of the writer region. The database promotion and the traffic move off the
 * failed region start at once (the RTO floor is detection + promotion + TTL, and neither waits for
 * the other). With `dns.control: arc` the traffic move is a routing-control flip through the ARC
 * cluster's data plane, so nothing on the critical path needs the Pulumi backend or the Route 53
 * control plane. The state names the new writer when the database confirms it, and a stack update
 * then renders it; when that update fails it is deferred (queued in the state and retried by the
 * watcher), so the move's outcome stands. The sync runs that bring the other secondaries up to the
 * new writer follow.
 */

export interface FailoverInput {
  readonly config: EnvironmentConfig;
  readonly state: OperationalState;
  readonly health: HealthView;
  /** The global database as seen from a healthy region; null when no region could describe it. */
  readonly database: GlobalClusterView | null;
  /** Plan id, unique per operation (e.g. `failover-<time>`). */
  readonly id: string;
  /** A person's explicit choice (`regionctl failover --to`); it must pass the same rules. */
  readonly to?: string;
  /** A person may accept a target whose lag nobody could measure. */
  readonly allowUnknownLag?: boolean;
  /** Detach-and-promote when the managed failover is impossible. Default true. */
  readonly detachFallback?: boolean;
}

export interface FailoverDecision {
  readonly refused: false;
  readonly plan: Plan;
  readonly from: string;
  readonly to: string;
  /** The target's lag at the decision: the writes an unplanned failover may lose (estimated RPO). */
  readonly lagSeconds: number | null;
  /** Every other candidate and why it lost, for the report. */
  readonly rejected: readonly string[];
}

export type FailoverResult = FailoverDecision | Refusal;

/** A pending-resync member is still copying: promoting it would lose far more than its lag says. */
function promotable(status: string): boolean {
  return status !== "pending-resync";
}

export function planFailover(input: FailoverInput): FailoverResult {
  const { config, state, health, database } = input;
  const from = state.writer;

  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  if (regionAvailable(health, from)) {
    return refuse(
      RULES.failoverNeedsFailedWriter,
      `writer ${from} is healthy; a planned move is \`regionctl switchover --to REGION\`, which loses nothing`,
    );
  }

  const assess = (region: string, view: HealthView = health, st: OperationalState = state) =>
    assessCandidate(region, st, view, database, {
      maxLagSeconds: config.failover.maxLagSeconds,
      lagRule: RULES.lagWithinBound,
      acceptStatus: promotable,
      allowUnknownLag: input.allowUnknownLag,
    });
  const secondaries = config.regions.map((r) => r.region).filter((r) => r !== from);

  // If the database already has another writer (a failover done outside regionctl, or one that
  // finished before a crash), that region is the only target that does not make two writers.
  // A writer only a dead region reports is not trusted: a target that died mid-promotion must not
  // pin every later failover to itself while live regions could take the writes.
  const dbWriter = database?.writer ?? null;
  const forced =
    dbWriter !== null && dbWriter !== from && regionAvailable(health, dbWriter) ? dbWriter : null;
  if (forced !== null && input.to !== undefined && input.to !== forced) {
    return refuse(
      RULES.neverTwoWriters,
      `the global database's writer is already ${forced}; failing over to ${input.to} would make two writers`,
    );
  }
  const wanted = input.to ?? forced;
  if (wanted !== null && !secondaries.includes(wanted)) {
    return refuse(
      RULES.validTarget,
      wanted === from ? `${wanted} is the failed writer` : `${wanted} is not a region of this environment`,
    );
  }

  const assessed = lastResort(
    (wanted === null ? secondaries : [wanted]).map((r) => assess(r)),
    health,
    state,
    assess,
  );
  // Measured health first: a degraded region (its probes failing more than the bound) is promoted
  // only when no healthy one is eligible; then lag, priority and config order.
  const errorRate = (region: string): number | null => health[region]?.probeErrorRate ?? null;
  const degraded = (region: string): boolean =>
    (errorRate(region) ?? 0) > config.failover.maxTargetErrorRate || health[region]?.heldOut === true;
  const byLag = byLagThenPriority(config, from);
  const eligible = assessed
    .filter((a) => a.rejection === null)
    .sort((a, b) => Number(degraded(a.region)) - Number(degraded(b.region)) || byLag(a, b));
  const rejected = assessed.flatMap((a) => (a.rejection === null ? [] : [a.rejection]));
  if (eligible.length === 0) {
    const first = rejected[0] ?? { rule: RULES.targetHealthy, reason: "no secondary region" };
    const rule = rejected.every((r) => r.rule === first.rule) ? first.rule : RULES.targetHealthy;
    return refuse(rule, `no region may take the writer: ${rejected.map((r) => r.reason).join("; ")}`);
  }
  const target = eligible[0];
  const to = target.region;

  const failedNote = `failed: writer moved to ${to} by failover ${input.id}`;
  const drain: StatePatch = {
    regions: {
      [from]: { drained: true, excluded: true, note: failedNote },
      // A last-resort target the controller had held out comes back into stack updates.
      [to]: { drained: false, excluded: false, note: null },
    },
  };
  const rename: StatePatch = { writer: to };
  const noZero = checkServing(state, [drain, rename]);
  if (noZero !== null) return noZero;

  // Every region failing now is left out too, not only the writer: a second region that fails
  // seconds after it must not sink the failover's stack update, nor have its APIs called.
  const failing = secondaries.filter((r) => r !== to && health[r]?.healthy === false);
  // A last-resort target the controller had left out is rendered again: it takes the writes.
  const excludes = excludedRegions(state, [from, ...failing]).filter((r) => r !== to);
  // The state names the new writer only once the database has it: a promotion that fails leaves
  // the state naming the writer the database still has, and the watcher tries again.
  const dbBranch: Step[] = [
    {
      id: "failover/database",
      kind: "dbFailover",
      description: `promote ${to}'s cluster to writer (FailoverGlobalCluster with AllowDataLoss, called in ${to})`,
      to,
      detachFallback: input.detachFallback ?? true,
    },
    {
      id: "failover/await-writer",
      kind: "awaitWriter",
      description: `wait until ${to} is confirmed as the writer`,
      region: to,
      timeoutSeconds: AWAIT_WRITER_TIMEOUT_SECONDS,
    },
    {
      id: "failover/writer",
      kind: "patchState",
      description: `name ${to} the writer in the operational state`,
      patch: rename,
    },
  ];
  // With ARC the flip is the traffic move; the records follow in the stack update below. With
  // health checks Route 53's checkers move clients off the failed region on their own, and the
  // update renders the records without it: neither update needs to land for the move to stand, so
  // either is deferred when the Pulumi backend or Route 53's control plane does not answer.
  const trafficBranch: Step[] = [
    {
      id: "failover/state",
      kind: "patchState",
      description: `take ${from} out of traffic and out of stack updates`,
      patch: drain,
    },
    ...(usesArc(config)
      ? trafficFlip(config, state, [drain], "failover/traffic", `move traffic off ${from}`)
      : [
          {
            id: "failover/traffic",
            kind: "stackUpdate",
            description: `move traffic off ${from}, leaving every resource of ${excludes.join(", ")} untouched; deferred if it fails`,
            excludes,
            attempts: RECOVERY_UPDATE_ATTEMPTS,
            deferOnFailure: true,
          } satisfies Step,
        ]),
  ];
  const resync = secondaries.filter((r) => r !== to && !excludes.includes(r));
  const guardBranch = rpoGuardBranch(config, state, to, resync);
  const steps: Step[] = [
    {
      id: "failover/move",
      kind: "parallel",
      description: `database promotion and traffic move${guardBranch.length === 0 ? "" : ", with the managed-RPO guard relaxed on the new writer"}, at once`,
      branches: guardBranch.length === 0 ? [dbBranch, trafficBranch] : [dbBranch, trafficBranch, guardBranch],
    },
    {
      id: "failover/stack",
      kind: "stackUpdate",
      description: `render ${to} as the writer (PRIMARY record, sync sources), leaving ${excludes.join(", ")} untouched; deferred if it fails`,
      excludes,
      attempts: RECOVERY_UPDATE_ATTEMPTS,
      deferOnFailure: true,
    },
    ...syncSteps("failover", resync),
  ];

  const lag = target.lagSeconds === null ? "lag unknown" : `lag ${formatSeconds(target.lagSeconds)}`;
  return {
    refused: false,
    from,
    to,
    lagSeconds: target.lagSeconds,
    rejected: [
      ...rejected.map((r) => r.reason),
      ...eligible
        .filter((a) => a.region !== to && degraded(a.region))
        .map((a) =>
          health[a.region]?.heldOut === true
            ? `${a.region}: flapping (held out for its cooldown)`
            : `${a.region}: degraded, ${Math.round((errorRate(a.region) ?? 0) * 100)} % of recent probes failed`,
        ),
    ],
    plan: {
      id: input.id,
      kind: "failover",
      summary: `fail over the writer from ${from} (${unavailableReason(health, from) ?? "failed"}) to ${to} (${lag})`,
      steps,
      // Undoing a failover would send traffic back to the region that failed; a failed failover
      // stops for a person instead (exit 1), with the state naming the new writer.
      compensation: [],
      regions: config.regions.map((r) => r.region),
    },
  };
}

/**
 * With no region eligible, a region held out only because it flaps, or left out of stack updates,
 * and answering now, is assessed again as if it were not: it is degraded, and a degraded region is
 * promoted when no healthy one exists. Writes to a region that works most of the time are better than none, for
 * as long as the failed writer stays down.
 */
function lastResort(
  assessed: readonly CandidateAssessment[],
  health: HealthView,
  state: OperationalState,
  assess: (region: string, view: HealthView, st: OperationalState) => CandidateAssessment,
): readonly CandidateAssessment[] {
  if (assessed.some((a) => a.rejection === null)) return assessed;
  return assessed.map((a) => {
    const h = health[a.region];
    const rs = state.regions[a.region];
    if (h === undefined || rs === undefined) return a;
    // Failing only partly (a degradation, a flap): it takes the writes better than no region.
    const partly = !h.healthy && h.partlyFailing === true;
    if (!h.healthy && !partly) return a;
    if (!h.heldOut && !rs.excluded && !partly) return a;
    // Held out of traffic or of stack updates by the controller itself (it flapped, or it was the
    // writer a failover left), or failing partly: it answers now, and the failover's plan brings
    // it back.
    return assess(
      a.region,
      { ...health, [a.region]: { ...h, healthy: true, heldOut: false } },
      { ...state, regions: { ...state.regions, [a.region]: { ...rs, excluded: false } } },
    );
  });
}

/**
 * Relaxes the new writer's managed-RPO guard when it would be left with no reachable secondary, in
 * a branch of its own beside the promotion: the target is a healthy region, and the guard is
 * already relaxed when the promotion ends, so the new writer never blocks its commits.
 */
function rpoGuardBranch(
  config: EnvironmentConfig,
  state: OperationalState,
  to: string,
  reachableSecondaries: readonly string[],
): Step[] {
  const decision = decideRpoGuard({
    config,
    writer: to,
    reachable: [to, ...reachableSecondaries],
    relaxed: state.rpoGuardRelaxed ?? [],
  });
  return decision.action === "relax" ? rpoGuardSteps("failover", decision) : [];
}

/** One sync run per region, at once when there are several. */
export function syncSteps(prefix: string, regions: readonly string[]): Step[] {
  const runs: Step[] = regions.map((region) => ({
    id: `${prefix}/sync/${region}`,
    kind: "syncRun",
    description: `run ${region}'s sync job from the new writer and wait for it`,
    region,
  }));
  if (runs.length <= 1) return runs;
  return [
    {
      id: `${prefix}/sync`,
      kind: "parallel",
      description: `sync ${regions.join(", ")} from the new writer`,
      branches: runs.map((r) => [r]),
    },
  ];
}
