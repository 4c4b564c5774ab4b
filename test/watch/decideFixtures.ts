import { type EnvironmentConfig, parseConfig } from "../../components/config";
import { type OperationRecord, type OperationalState, initialState } from "../../components/operationalState";
import { healthSettings } from "../../automation/health/settings";
import { DEFAULT_REPLICATION_SETTINGS } from "../../automation/plans/replication";
import type { HealthSample, Lease } from "../../automation/ports";
import type { TickInputs } from "../../automation/watch/tickInputs";
import { type WatchMemory, initialMemory, rememberSamples } from "../../automation/watch/watchMemory";
import { cluster } from "../plans/failoverFixtures";
import { sampleRawConfig } from "../support/sampleConfig";

/** Inputs for decide, built from plain data: no ports, no clock, no mocks. */
export const USE1 = "us-east-1";
export const USW2 = "us-west-2";
export const EUW1 = "eu-west-1";
export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const INTERVAL_MS = 10_000;

const raw = sampleRawConfig({ regions: 3 });
export const auto: EnvironmentConfig = parseConfig({ ...raw, failover: { mode: "auto" } });
export const manual: EnvironmentConfig = parseConfig({ ...raw, failover: { mode: "manual" } });

/** What one region answers in one round: the probe (null: none) and Route 53's share (null: API out). */
export interface Answer {
  readonly probe: boolean | null;
  readonly route53: number | null;
}
export const UP: Answer = { probe: true, route53: 1 };
export const DOWN: Answer = { probe: false, route53: 0 };

/**
 * The watcher's memory after `rounds` rounds of samples, one interval apart: each round maps a
 * region to its answer (a region not named answers UP).
 */
export function memoryAfter(
  config: EnvironmentConfig,
  rounds: readonly Readonly<Record<string, Answer>>[],
): { readonly memory: WatchMemory; readonly samples: readonly HealthSample[]; readonly now: number } {
  let memory = initialMemory(
    config.regions.map((r) => r.region),
    T0,
  );
  let samples: HealthSample[] = [];
  rounds.forEach((round, i) => {
    const at = T0 + i * INTERVAL_MS;
    samples = config.regions.map(({ region }) => {
      const a = round[region] ?? UP;
      return { region, at, checkerFraction: a.route53, probeOk: a.probe, detail: "table" };
    });
    memory = rememberSamples(memory, samples, healthSettings(config)).memory;
  });
  return { memory, samples, now: T0 + (rounds.length - 1) * INTERVAL_MS + 1_000 };
}

/** `n` rounds in which `region` answers `answer`. */
export function rounds(n: number, region: string, answer: Answer): Record<string, Answer>[] {
  return Array.from({ length: n }, () => ({ [region]: answer }));
}

export function release(
  phase: OperationRecord["phase"],
  kind: OperationRecord["kind"] = "deploy",
): OperationRecord {
  const state = initialState(auto);
  return {
    id: `${kind}-1`,
    kind,
    plan: { id: `${kind}-1`, kind, summary: "x", steps: [], compensation: [], regions: [] },
    before: state.regions,
    writerBefore: USE1,
    phase,
    cursor: 0,
    steps: [],
    startedAt: new Date(T0).toISOString(),
    finishedAt: null,
    reason: phase === "paused" ? "inconclusive" : null,
  };
}

export function lease(holder: string, operation: string): Lease {
  return { holder, operation, expiresAt: T0 + 3_600_000, etag: "e" };
}

export const HEALTHY_DB = cluster(USE1, { [USE1]: {}, [USW2]: { lag: 0.2 }, [EUW1]: { lag: 0.5 } });

/** TickInputs with everything quiet; override what a row is about. */
export function inputs(
  config: EnvironmentConfig,
  history: readonly Readonly<Record<string, Answer>>[],
  over: Partial<TickInputs> = {},
): TickInputs {
  const { memory, samples, now } = memoryAfter(config, history);
  const state: OperationalState = initialState(config);
  return {
    config,
    holder: "watcher",
    stack: "dev",
    now,
    decidedAt: now,
    memory: { ...memory, lastDatabaseCheck: now },
    samples,
    state,
    leaseLive: false,
    lease: null,
    running: null,
    database: HEALTHY_DB,
    preemptAsked: [],
    replication: DEFAULT_REPLICATION_SETTINGS,
    databaseCheckSeconds: 60,
    ...over,
  };
}
