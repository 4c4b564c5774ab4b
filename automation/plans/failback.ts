import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import type { HealthView } from "../health/healthView";
import type { GlobalClusterView } from "../ports";
import { syncSteps } from "./failover";
import { RULES, formatSeconds, refuse } from "./failoverSafety";
import { decideRpoGuard, rpoGuardSteps } from "./rpoGuard";
import type { Plan, Refusal, Step } from "./steps";
import { checkSwitchover, switchoverSteps } from "./switchover";

/**
 * Failback: once the region a failover left is healthy again and its cluster is back in the
 * global database and connected, bring it back under stack management and switch the writer over
 * to it (RPO 0), then sync the other secondaries from it.
 */

export interface FailbackInput {
  readonly config: EnvironmentConfig;
  readonly state: OperationalState;
  readonly health: HealthView;
  readonly database: GlobalClusterView | null;
  readonly id: string;
  /** Default: the region the last failover moved the writer away from. */
  readonly to?: string;
}

export interface FailbackDecision {
  readonly refused: false;
  readonly plan: Plan;
  readonly from: string;
  readonly to: string;
  readonly lagSeconds: number | null;
}

/** The region the last failover left, if the writer is still where that failover put it. */
export function failbackTarget(state: OperationalState): string | null {
  const last = state.incidents.at(-1);
  if (last === undefined || last.kind !== "failover" || last.to !== state.writer) return null;
  return last.from;
}

export function planFailback(input: FailbackInput): FailbackDecision | Refusal {
  const { config, state } = input;
  const to = input.to ?? failbackTarget(state);
  if (to === null) {
    return refuse(
      RULES.validTarget,
      "no failover to undo: the last writer move was not a failover to the current writer; use `regionctl switchover --to REGION`",
    );
  }
  const checked = checkSwitchover({ ...input, to, state: readmitted(state, to) });
  if (checked.refusal !== null) return checked.refusal;

  const from = state.writer;
  const wasExcluded = state.regions[to]?.excluded ?? false;
  const built = switchoverSteps("failback", config, state, from, to);
  if ("refused" in built) return built;
  const readmit: Step[] = wasExcluded
    ? [
        {
          id: "failback/readmit",
          kind: "patchState",
          description: `bring ${to} back under stack management (still out of traffic)`,
          patch: {
            regions: { [to]: { excluded: false, drained: true, note: "recovering: failback in progress" } },
          },
        },
        {
          id: "failback/reconcile",
          kind: "stackUpdate",
          description: `reconcile ${to}'s resources with the current plan`,
          targets: [to],
        },
      ]
    : [];
  const others = config.regions.map((r) => r.region).filter((r) => r !== to && !state.regions[r]?.excluded);
  const lag = checked.lagSeconds === null ? "" : `, lag ${formatSeconds(checked.lagSeconds)}`;
  return {
    refused: false,
    from,
    to,
    lagSeconds: checked.lagSeconds,
    plan: {
      id: input.id,
      kind: "failback",
      summary: `fail back the writer from ${from} to ${to} (planned, RPO 0${lag})`,
      steps: [
        ...readmit,
        ...built.steps,
        ...syncSteps("failback", others),
        ...rpoGuardRestore(config, state, to, others),
      ],
      compensation: built.compensation,
      regions: config.regions.map((r) => r.region),
    },
  };
}

/**
 * Back on its old writer with the other regions reachable, every guard a failover relaxed is set
 * to the configured value again; a region still out keeps its record until it is reachable.
 */
function rpoGuardRestore(
  config: FailbackInput["config"],
  state: OperationalState,
  to: string,
  others: readonly string[],
): Step[] {
  const decision = decideRpoGuard({
    config,
    writer: to,
    reachable: [to, ...others],
    relaxed: state.rpoGuardRelaxed ?? [],
  });
  return decision.action === "restore" ? rpoGuardSteps("failback", decision) : [];
}

/**
 * The health and member checks apply to the region as it will be once readmitted: its exclusion
 * is what this plan undoes, not a reason to refuse it.
 */
function readmitted(state: OperationalState, region: string): OperationalState {
  const rs = state.regions[region];
  if (rs === undefined || !rs.excluded) return state;
  return { ...state, regions: { ...state.regions, [region]: { ...rs, excluded: false } } };
}
