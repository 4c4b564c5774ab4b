import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { RECOVERY_UPDATE_ATTEMPTS, excludedRegions } from "./failoverSafety";
import type { Plan, Step } from "./steps";
import { trafficFlip } from "./trafficControl";

export interface RenderStateOptions {
  readonly id: string;
  /** Step id prefix: `<prefix>/traffic`, `<prefix>/stack`. */
  readonly prefix: string;
  /** Why the stack is behind the state, leading the summary. */
  readonly why: string;
  /** A failed update is deferred again instead of failing the plan. Default false. */
  readonly deferOnFailure?: boolean;
  /** Steps after the update (e.g. the syncs a failover never ran). Default none. */
  readonly after?: readonly Step[];
}

/**
 * Brings the stack up to the state after a move whose stack update did not land: the routing
 * controls set to the state again (cheap, and it finishes a flip that failed), then one update of
 * every region not excluded. Nothing to compensate: it only renders what the state already says.
 */
export function renderStatePlan(
  config: EnvironmentConfig,
  state: OperationalState,
  o: RenderStateOptions,
): Plan {
  const excludes = excludedRegions(state);
  const untouched = excludes.length === 0 ? "" : ` (${excludes.join(", ")} left untouched)`;
  return {
    id: o.id,
    kind: "traffic",
    summary: `${o.why}: render the writer ${state.writer} and the traffic as the state has them${untouched}`,
    steps: [
      ...trafficFlip(config, state, [], `${o.prefix}/traffic`, "match the routing controls to the state"),
      {
        id: `${o.prefix}/stack`,
        kind: "stackUpdate",
        description: `update every region not excluded to the state's writer ${state.writer} and traffic${o.deferOnFailure === true ? "; deferred again if it fails" : ""}`,
        ...(excludes.length === 0 ? {} : { excludes }),
        attempts: RECOVERY_UPDATE_ATTEMPTS,
        ...(o.deferOnFailure === true ? { deferOnFailure: true } : {}),
      },
      ...(o.after ?? []),
    ],
    compensation: [],
    regions: config.regions.map((r) => r.region).filter((r) => !excludes.includes(r)),
  };
}
