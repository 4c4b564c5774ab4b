import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { type HealthView, regionAvailable, unavailableReason } from "../health/healthView";
import type { GlobalClusterView } from "../ports";
import {
  AWAIT_WRITER_TIMEOUT_SECONDS,
  DEFAULT_SWITCHOVER_LAG_SECONDS,
  RULES,
  assessCandidate,
  checkServing,
  checkSingleWriter,
  excludedRegions,
  failingRegions,
  formatSeconds,
  operationInFlight,
  refuse,
} from "./failoverSafety";
import type { Plan, Refusal, StatePatch, Step } from "./steps";
import { trafficFlip, usesArc } from "./trafficControl";

/**
 * Planned switchover of the writer (RPO 0): drain the old writer's traffic, wait out the DNS TTL,
 * let Aurora switch the writer over (it waits for the target to catch up), confirm the new
 * writer, then put the old writer back in traffic as a secondary.
 */

export interface SwitchoverInput {
  readonly config: EnvironmentConfig;
  readonly state: OperationalState;
  readonly health: HealthView;
  readonly database: GlobalClusterView | null;
  readonly to: string;
  readonly id: string;
}

export interface SwitchoverDecision {
  readonly refused: false;
  readonly plan: Plan;
  readonly from: string;
  readonly to: string;
  readonly lagSeconds: number | null;
}

/** The lag bound of a planned switchover: the managed RPO, else Aurora's smallest one. */
export function switchoverLagBound(config: EnvironmentConfig): number {
  return config.database.rpoSeconds ?? DEFAULT_SWITCHOVER_LAG_SECONDS;
}

/** The checks switchover and failback share; null when `to` may take the writer now. */
export function checkSwitchover(
  input: Omit<SwitchoverInput, "id">,
): { readonly refusal: Refusal } | { readonly refusal: null; readonly lagSeconds: number | null } {
  const { config, state, health, database, to } = input;
  const from = state.writer;
  const busy = operationInFlight(state);
  if (busy !== null) return { refusal: refuse(RULES.oneOperation, `operation in flight: ${busy}`) };
  if (state.regions[to] === undefined) {
    return { refusal: refuse(RULES.validTarget, `${to} is not a region of this environment`) };
  }
  if (to === from) return { refusal: refuse(RULES.validTarget, `${to} is already the writer`) };
  if (!regionAvailable(health, from)) {
    return {
      refusal: refuse(
        RULES.switchoverNeedsHealthyWriter,
        `writer ${from} is ${unavailableReason(health, from)}: a switchover needs both regions up; ` +
          `an unplanned move is \`regionctl failover --to ${to}\``,
      ),
    };
  }
  const failing = failingRegions(state, health, [to]);
  if (failing.length > 0) {
    return {
      refusal: refuse(
        RULES.noPromotionWhileFailing,
        `${failing.join(", ")} ${failing.length === 1 ? "is" : "are"} failing; move the writer once every serving region is healthy`,
      ),
    };
  }
  if (database !== null && database.writer === null) {
    return {
      refusal: refuse(RULES.neverTwoWriters, "the global database has no confirmed writer right now"),
    };
  }
  const twoWriters = checkSingleWriter(database, [from]);
  if (twoWriters !== null) return { refusal: twoWriters };
  const bound = switchoverLagBound(config);
  const target = assessCandidate(to, state, health, database, {
    maxLagSeconds: bound,
    lagRule: RULES.lagWithinRpo,
    acceptStatus: (s) => s === "connected",
  });
  if (target.rejection !== null) return { refusal: refuse(target.rejection.rule, target.rejection.reason) };
  return { refusal: null, lagSeconds: target.lagSeconds };
}

export function planSwitchover(input: SwitchoverInput): SwitchoverDecision | Refusal {
  const checked = checkSwitchover(input);
  if (checked.refusal !== null) return checked.refusal;
  const from = input.state.writer;
  const built = switchoverSteps("switchover", input.config, input.state, from, input.to);
  if ("refused" in built) return built;
  const lag = checked.lagSeconds === null ? "" : `, lag ${formatSeconds(checked.lagSeconds)}`;
  return {
    refused: false,
    from,
    to: input.to,
    lagSeconds: checked.lagSeconds,
    plan: {
      id: input.id,
      kind: "switchover",
      summary: `switch the writer over from ${from} to ${input.to} (planned, RPO 0${lag})`,
      steps: built.steps,
      compensation: built.compensation,
      regions: [from, input.to],
    },
  };
}

/**
 * Drain, switch over, confirm, readmit. The state names the target the writer as soon as Aurora
 * accepted the switchover. The compensation puts both regions' traffic back as it was; it never
 * touches the writer field, so once Aurora has switched over a later failure does not pretend
 * otherwise (an await-writer that gives up on a live target names the writer the database has).
 */
export function switchoverSteps(
  prefix: string,
  config: EnvironmentConfig,
  state: OperationalState,
  from: string,
  to: string,
  extraTouched: readonly string[] = [],
): { readonly steps: Step[]; readonly compensation: Step[] } | Refusal {
  const drain: StatePatch = {
    regions: {
      [from]: { drained: true, note: `draining for the writer's move to ${to}` },
      [to]: { drained: false, excluded: false, note: null },
    },
  };
  const done: StatePatch = {
    writer: to,
    regions: {
      [from]: { drained: false, note: null },
      [to]: { drained: false, excluded: false, note: null },
    },
  };
  const noZero = checkServing(state, [drain, done]);
  if (noZero !== null) return noZero;
  const excludes = excludedRegions(state).filter((r) => r !== to && r !== from);
  // With ARC a flip moves the traffic, and the stack update only renders the records: a failed one
  // is deferred to the watcher instead of undoing a move the database has already made.
  const arc = usesArc(config);
  const drainTraffic: Step[] = arc
    ? trafficFlip(config, state, [drain], `${prefix}/drain-traffic`, `move traffic off ${from}`)
    : [
        {
          id: `${prefix}/drain-stack`,
          kind: "stackUpdate",
          description: `move traffic off ${from}`,
          ...(excludes.length > 0 ? { excludes } : {}),
        },
      ];
  const steps: Step[] = [
    { id: `${prefix}/drain`, kind: "patchState", description: `take ${from} out of traffic`, patch: drain },
    ...drainTraffic,
    {
      id: `${prefix}/dns-ttl`,
      kind: "wait",
      description: `let clients' DNS caches (${config.dns.ttl} s) follow`,
      seconds: config.dns.ttl,
    },
    {
      id: `${prefix}/database`,
      kind: "dbSwitchover",
      description: `switch the global database's writer over to ${to} (SwitchoverGlobalCluster, RPO 0)`,
      to,
      maxLagSeconds: switchoverLagBound(config),
    },
    {
      // Aurora is moving the writer now: if the target dies before it is confirmed, the writer the
      // database ends with is that dead region, and the watcher must see a failed writer and fail
      // over from it to a live region. Named later, the state would keep a healthy old writer while
      // the database has none that lives, and nothing would fail over.
      id: `${prefix}/writer-moving`,
      kind: "patchState",
      description: `name ${to} the writer while the database moves it there`,
      patch: { writer: to },
    },
    {
      id: `${prefix}/await-writer`,
      kind: "awaitWriter",
      description: `wait until ${to} is confirmed as the writer`,
      region: to,
      timeoutSeconds: AWAIT_WRITER_TIMEOUT_SECONDS,
    },
    {
      id: `${prefix}/state`,
      kind: "patchState",
      description: `name ${to} the writer and put ${from} back in traffic`,
      patch: done,
    },
    ...trafficFlip(config, state, [drain, done], `${prefix}/traffic`, `put ${from} back in traffic`),
    {
      id: `${prefix}/stack`,
      kind: "stackUpdate",
      description: `reconcile the stack: writer ${to}${arc ? "; deferred if it fails" : ""}`,
      ...(excludes.length > 0 ? { excludes } : {}),
      ...(arc ? { deferOnFailure: true } : {}),
    },
  ];
  const compensation: Step[] = [
    {
      id: `${prefix}/undo`,
      kind: "restore",
      description: `put ${from} and ${to} back in traffic as before`,
      regions: [...new Set([from, to, ...extraTouched])],
    },
    ...(arc
      ? [
          {
            id: `${prefix}/undo-traffic`,
            kind: "trafficControl",
            description: "set the routing controls back to the restored state (ARC data plane)",
          } satisfies Step,
        ]
      : []),
    {
      id: `${prefix}/undo-stack`,
      kind: "stackUpdate",
      description: "reconcile the stack after the undo",
      ...(excludes.length > 0 ? { excludes } : {}),
    },
  ];
  return { steps, compensation };
}
