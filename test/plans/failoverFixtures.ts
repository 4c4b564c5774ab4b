import { type EnvironmentConfig, parseConfig } from "../../components/config";
import { type OperationalState, type RegionState, initialState } from "../../components/operationalState";
import type { HealthView } from "../../automation/health/healthView";
import { applyStatePatch } from "../../automation/plans/statePatch";
import type { Step } from "../../automation/plans/steps";
import type { GlobalClusterView } from "../../automation/ports";
import { sampleRawConfig } from "../support/sampleConfig";

/** Shared inputs of the disaster-recovery planner tests. */

export const R = { use1: "us-east-1", usw2: "us-west-2", euw1: "eu-west-1", euc1: "eu-central-1" } as const;

/** A valid config of `regions` regions (us-east-1 the writer); `raw` replaces top-level raw keys. */
export function drConfig(regions = 3, raw: Record<string, unknown> = {}): EnvironmentConfig {
  return parseConfig({ ...sampleRawConfig({ regions }), ...raw });
}

export function drState(
  config: EnvironmentConfig,
  change: { writer?: string; regions?: Record<string, Partial<RegionState>> } = {},
): OperationalState {
  const s = initialState(config);
  return applyStatePatch(s, change);
}

/** Every configured region healthy, except the overrides. */
export function view(
  config: EnvironmentConfig,
  overrides: Record<string, "down" | "flapping"> = {},
): HealthView {
  return Object.fromEntries(
    config.regions.map((r) => {
      const o = overrides[r.region];
      return [r.region, { healthy: o !== "down", heldOut: o === "flapping" }];
    }),
  );
}

export interface MemberSpec {
  readonly lag?: number | null;
  readonly status?: string;
}

/** A global cluster whose writer is `writer`; members absent from `members` are left out. */
export function cluster(
  writer: string | null,
  members: Record<string, MemberSpec>,
  status = "available",
): GlobalClusterView {
  return {
    id: "test-global",
    writer,
    status,
    members: Object.entries(members).map(([region, m]) => ({
      region,
      clusterArn: `arn:aws:rds:${region}:123456789012:cluster:test-${region}`,
      isWriter: region === writer,
      status: m.status ?? "connected",
      lagSeconds: region === writer ? 0 : m.lag === undefined ? 1 : m.lag,
    })),
  };
}

/** Every step of a plan, parallel branches flattened in order. */
export function flatSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) =>
    s.kind === "parallel" ? [s, ...s.branches.flatMap((b) => flatSteps(b))] : [s],
  );
}

/** The state after every patchState of the plan (branches included), in order. */
export function afterPatches(state: OperationalState, steps: readonly Step[]): OperationalState {
  return flatSteps(steps).reduce(
    (s, step) => (step.kind === "patchState" ? applyStatePatch(s, step.patch) : s),
    state,
  );
}
