import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { applyStatePatch } from "./statePatch";
import type { StatePatch, Step } from "./steps";

/**
 * With `dns.control: arc` traffic moves by flipping Route 53 ARC routing controls through the
 * cluster's data plane: a region's records answer exactly while its control is on. The controls
 * follow the operational state: a region is on unless it is drained. A flip therefore needs
 * neither the Pulumi backend nor the Route 53 control plane, and it is idempotent: the step reads
 * the state when it runs, so a resumed or repeated flip sets the same controls.
 */

/** Regions whose routing control should be on and off for this state, each sorted. */
export function controlsFor(state: OperationalState): { on: string[]; off: string[] } {
  const regions = Object.keys(state.regions).sort();
  return {
    on: regions.filter((r) => !state.regions[r].drained),
    off: regions.filter((r) => state.regions[r].drained),
  };
}

export function usesArc(config: EnvironmentConfig): boolean {
  return config.dns.control === "arc";
}

/**
 * The flip that sets the routing controls to the state the plan expects after `patches`; none
 * unless the environment uses ARC. `why` ends the description (e.g. "move traffic off us-east-1").
 */
export function trafficFlip(
  config: EnvironmentConfig,
  state: OperationalState,
  patches: readonly StatePatch[],
  id: string,
  why: string,
): Step[] {
  if (!usesArc(config)) return [];
  const after = patches.reduce(applyStatePatch, state);
  const { on, off } = controlsFor(after);
  const offText = off.length === 0 ? "" : `, off ${off.join(", ")}`;
  return [
    {
      id,
      kind: "trafficControl",
      description: `${why}: routing controls on ${on.join(", ")}${offText} (ARC data plane, any cluster endpoint)`,
    },
  ];
}
