import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState, RegionState } from "../../components/operationalState";
import type { Step } from "./steps";

/** Builders for the steps every promotion strategy shares. */

export type RegionPatch = Readonly<Record<string, Partial<RegionState>>>;

export function patchStep(id: string, description: string, regions: RegionPatch): Step {
  return { kind: "patchState", id, description, patch: { regions } };
}

/** Marks regions with one release status (deploying before the update, deployed after the gate). */
export function statusPatch(regions: readonly string[], status: RegionState["releaseStatus"]): RegionPatch {
  return Object.fromEntries(regions.map((r) => [r, { releaseStatus: status }]));
}

export function updateStep(
  id: string,
  description: string,
  targets: readonly string[],
  state: OperationalState,
): Step {
  return { kind: "stackUpdate", id, description, targets: [...targets], excludes: excludedRegions(state) };
}

export function gateStep(id: string, regions: readonly string[], config: EnvironmentConfig): Step {
  return {
    kind: "healthGate",
    id,
    description: `wait until ${regions.join(", ")} ${regions.length === 1 ? "is" : "are"} healthy (${config.release.healthyThreshold} consecutive checks)`,
    regions: [...regions],
    consecutive: config.release.healthyThreshold,
    timeoutSeconds: config.release.healthTimeoutSeconds,
  };
}

/**
 * Bake and judge the new version in `region` (its `color`, or the whole region) against the
 * baseline regions on the old version: error rate and p95 latency. None when analysis is off
 * (`bakeSeconds: 0`).
 */
export function analysisStep(
  id: string,
  region: string,
  color: "blue" | "green" | undefined,
  baseline: readonly string[],
  config: EnvironmentConfig,
): Step | null {
  const release = config.release;
  if (release.bakeSeconds <= 0) return null;
  const what = color === undefined ? region : `${region} (${color})`;
  return {
    kind: "analysis",
    id,
    description: `bake ${release.bakeSeconds} s and compare ${what}'s error rate and p95 latency with ${baseline.join(", ") || "the absolute limits (no region left on the old version)"}`,
    canaryRegion: region,
    ...(color === undefined ? {} : { canaryColor: color }),
    baselineRegions: [...baseline],
    bakeSeconds: release.bakeSeconds,
    maxErrorRate: release.rollbackErrorRate,
    maxLatencyMs: release.rollbackLatencyMs,
    minSamples: release.minSamples,
    consecutiveFailureLimit: release.consecutiveFailureLimit,
    intervalSeconds: release.analysisIntervalSeconds,
  };
}

/**
 * The analysis after a wave: every region of it at once (a parallel step when there are several),
 * against the serving regions still on the old version: those the promotion does not move, and
 * those it moves later.
 */
export function waveAnalysisSteps(
  id: string,
  wave: readonly string[],
  later: readonly string[],
  targets: readonly string[],
  config: EnvironmentConfig,
  state: OperationalState,
): Step[] {
  const baseline = servingRegions(config, state).filter((r) => !targets.includes(r) || later.includes(r));
  const steps = wave
    .map((r) => analysisStep(wave.length === 1 ? id : `${id}-${r}`, r, undefined, baseline, config))
    .filter((s): s is Step => s !== null);
  if (steps.length <= 1) return steps;
  return [
    {
      kind: "parallel",
      id,
      description: `analyse ${wave.join(", ")} at once`,
      branches: steps.map((s) => [s]),
    },
  ];
}

/**
 * Before anything moves, every serving region must look healthy: no promotion while a region is
 * failing. One healthy observation each, within Route 53's own detection window.
 */
export function preflightStep(config: EnvironmentConfig, state: OperationalState): Step {
  const serving = servingRegions(config, state);
  const check = config.dns.healthCheck;
  return {
    kind: "healthGate",
    id: "preflight/health",
    description: `check that every serving region (${serving.join(", ")}) is healthy before anything moves`,
    regions: serving,
    consecutive: 1,
    timeoutSeconds: check.intervalSeconds * Math.max(check.failureThreshold, 1),
  };
}

/**
 * No promotion while a region is failing, checked again before every move after the first: one
 * round in which every serving region is healthy. A failing region holds the promotion up to the
 * health timeout; a failing writer pauses it for a failover (see the safetyGate step).
 */
export function safetyStep(id: string, config: EnvironmentConfig, state: OperationalState): Step {
  const serving = servingRegions(config, state);
  return {
    kind: "safetyGate",
    id,
    description: `check that every serving region (${serving.join(", ")}) is healthy before the next move`,
    regions: serving,
    failureThreshold: config.dns.healthCheck.failureThreshold,
    timeoutSeconds: config.release.healthTimeoutSeconds,
  };
}

function servingRegions(config: EnvironmentConfig, state: OperationalState): string[] {
  return config.regions.map((r) => r.region).filter((r) => !state.regions[r].drained);
}

/** Every promotion's compensation: every region that moved goes back to where it was. */
export function restoreCompensation(regions: readonly string[]): Step[] {
  return [
    {
      kind: "restore",
      id: "rollback/restore",
      description: `put every region that moved (of ${regions.join(", ")}) back on its previous version and colour`,
      regions: [...regions],
    },
  ];
}

export function excludedRegions(state: OperationalState): string[] {
  return Object.entries(state.regions)
    .filter(([, r]) => r.excluded)
    .map(([name]) => name);
}
