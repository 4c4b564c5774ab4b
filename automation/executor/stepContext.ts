import type { EnvironmentConfig } from "../../components/config";
import type { ReleaseStatus } from "../../components/operationalState";
import type { Step } from "../plans/steps";
import type { Ports } from "../ports";
import { type StateHandle, StateWriteError } from "./stateHandle";

/** What a step handler may use. Handlers wait only through `ports.clock`. */
export interface StepContext {
  readonly config: EnvironmentConfig;
  readonly ports: Ports;
  readonly signal: AbortSignal;
  readonly state: StateHandle;
  readonly operationId: string;
  /** When this step first started (ms), kept across a resume so waits are not restarted. */
  readonly startedAt: number;
  progress(message: string, region?: string): void;
  /** Runs a step inside this one (parallel branches); nested steps are not recorded on their own. */
  runNested(step: Step): Promise<StepOutcome>;
  /** Regions failing now (the watcher's verdict); empty when nobody watches. */
  impaired(): readonly string[];
}

export interface StepOutcome {
  readonly status: "ok" | "failed" | "paused";
  readonly detail: string;
}

export const ok = (detail: string): StepOutcome => ({ status: "ok", detail });
export const failed = (detail: string): StepOutcome => ({ status: "failed", detail });
export const paused = (detail: string): StepOutcome => ({ status: "paused", detail });

/** Errors no step may turn into a step failure: they stop the run (see StateWriteError). */
export function isFatal(err: unknown): boolean {
  return err instanceof StateWriteError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Sets a release status on regions currently in one of `from` (a gate marks only regions that moved). */
export async function markRegions(
  ctx: StepContext,
  regions: readonly string[],
  status: ReleaseStatus,
  from: readonly (ReleaseStatus | null)[] | "any",
): Promise<void> {
  const current = ctx.state.current.regions;
  const chosen = regions.filter(
    (r) => current[r] !== undefined && (from === "any" || from.includes(current[r].releaseStatus)),
  );
  if (chosen.length === 0) return;
  await ctx.state.update((s) => {
    for (const r of chosen) s.regions[r] = { ...s.regions[r], releaseStatus: status };
    return s;
  });
}
