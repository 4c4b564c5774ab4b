import type { EnvironmentConfig } from "../../components/config";
import type { IncidentRecord, OperationalState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import type { LoadedEnvironment } from "../context";
import { EXIT_FAILED, EXIT_OK } from "../errors";
import { runPlan } from "../executor";
import { regionEndpoints } from "../gates/endpoints";
import { type HealthView, healthView } from "../health/healthView";
import { healthSettings } from "../health/settings";
import { type HealthTracker, initialTracker, observeSamples } from "../health/tracker";
import type { Plan, Refusal, Step } from "../plans/steps";
import type { Ports } from "../ports";
import { closeIncident, openIncident, recoveredAt } from "../watch/incidents";
import { supersedeOperation } from "../watch/supersede";
import { updateStateUnderLease } from "../watch/stateUpdate";
import {
  type EnvironmentFlags,
  executorOptions,
  exitCodeForOutcome,
  humanWriter,
  regionSummary,
  table,
} from "./operationCli";

/** What the disaster-recovery commands (failover, switchover, failback, check, watch...) share. */

/**
 * Observes every region `rounds` times, a health-check interval apart. A command that must prove
 * health before acting starts from unhealthy (each region needs `rounds` good answers); one that
 * must prove a failure starts from healthy.
 */
export async function observeHealth(
  config: EnvironmentConfig,
  ports: Ports,
  rounds: number,
  startHealthy: boolean,
  signal?: AbortSignal,
): Promise<{ readonly tracker: HealthTracker; readonly view: HealthView }> {
  const regions = config.regions.map((r) => r.region);
  const endpoints = regionEndpoints(config, regions);
  const settings = { ...healthSettings(config), failureThreshold: rounds, recoveryThreshold: rounds };
  let tracker = initialTracker(regions, ports.clock.now(), startHealthy);
  for (let i = 0; i < rounds; i++) {
    if (i > 0) await ports.clock.sleep(config.dns.healthCheck.intervalSeconds * 1000, signal);
    tracker = observeSamples(tracker, await ports.health.observe(endpoints, signal), settings).tracker;
  }
  return { tracker, view: healthView(tracker, ports.clock.now()) };
}

export function healthTable(tracker: HealthTracker, state: OperationalState, now: number): string[] {
  const rows = Object.values(tracker).map((h) => [
    h.region + (h.region === state.writer ? " (writer)" : ""),
    h.heldOutUntil !== null && h.heldOutUntil > now ? "held out" : h.healthy ? "healthy" : "UNHEALTHY",
    h.signals,
    state.regions[h.region]?.drained === true ? "out" : "in",
    h.lastSample?.detail ?? "",
  ]);
  return table([["REGION", "HEALTH", "SIGNALS", "TRAFFIC", "LAST SAMPLE"], ...rows]);
}

/** The plan as indented lines, parallel branches nested. */
export function planLines(plan: Plan): string[] {
  const lines: string[] = [`plan ${plan.id} (${plan.kind}): ${plan.summary}`];
  const walk = (steps: readonly Step[], indent: string): void => {
    steps.forEach((s, i) => {
      lines.push(`${indent}${i + 1}. ${s.id}: ${s.description}`);
      if (s.kind === "parallel") {
        s.branches.forEach((b, j) => {
          lines.push(`${indent}   branch ${j + 1}:`);
          walk(b, `${indent}      `);
        });
      }
    });
  };
  walk(plan.steps, "  ");
  if (plan.compensation.length > 0) {
    lines.push("  on failure:");
    walk(plan.compensation, "    ");
  }
  return lines;
}

export function reportRefusal(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  refusal: Refusal,
  extra: Record<string, unknown> = {},
): void {
  io.err(`${command} refused (${refusal.rule}): ${refusal.reason}`);
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        {
          command,
          outcome: "refused",
          rule: refusal.rule,
          reason: refusal.reason,
          ...extra,
          exitCode: EXIT_FAILED,
        },
        null,
        2,
      ),
    );
  }
  io.exitCode = EXIT_FAILED;
}

export function reportDryRun(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  plan: Plan,
  extra: Record<string, unknown> = {},
): void {
  const human = humanWriter(io, flags.json);
  for (const line of planLines(plan)) human(line);
  human("dry run: nothing was changed");
  if (flags.json === true)
    io.out(JSON.stringify({ command, outcome: "dry-run", plan, ...extra, exitCode: EXIT_OK }, null, 2));
  io.exitCode = EXIT_OK;
}

export interface WriterMove {
  readonly plan: Plan;
  readonly kind: IncidentRecord["kind"];
  readonly from: string;
  readonly to: string;
  /** Estimated RPO: the target's lag for a failover, 0 for a planned move. */
  readonly rpoSeconds: number | null;
  /** When the fault began (failover), or null for a planned move. */
  readonly faultAt: number | null;
  /** An operation stuck in flight that this failover supersedes (ends it as aborted first). */
  readonly supersedes?: string;
}

/**
 * Runs a writer move with its incident record: opened before the first step (a killed run still
 * leaves it), closed with the RTO once the new writer serves. Prints the outcome, RPO and RTO.
 */
export async function runWriterMove(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  env: LoadedEnvironment,
  ports: Ports,
  move: WriterMove,
): Promise<void> {
  const human = humanWriter(io, flags.json);
  const options = executorOptions(env, ports, io);
  const startedAt = ports.clock.now();
  try {
    await updateStateUnderLease(ports, env.config, options.holder, `${move.kind} incident`, (s) =>
      openIncident(
        s.operation !== null && s.operation.id === move.supersedes
          ? supersedeOperation(s, `superseded by ${move.kind} ${move.plan.id} (${options.holder})`, startedAt)
          : s,
        {
          kind: move.kind,
          from: move.from,
          to: move.to,
          startedAt,
          faultAt: move.faultAt,
          rpoSeconds: move.rpoSeconds,
        },
      ),
    );
    human(`${command}: ${move.plan.summary}`);
    const result = await runPlan(move.plan, options);
    let state = result.state;
    const recovered = recoveredAt(result.state, result.operationId, move.kind);
    if (recovered !== null) {
      state = await updateStateUnderLease(ports, env.config, options.holder, `${move.kind} incident`, (s) =>
        closeIncident(s, move.kind, move.from, move.to, recovered, env.config.dns.ttl),
      );
    }
    const incident =
      [...state.incidents]
        .reverse()
        .find((i) => i.kind === move.kind && i.from === move.from && i.to === move.to) ?? null;
    const code = exitCodeForOutcome(result.outcome, command);
    human(
      `${command}: operation ${result.operationId} ${result.outcome}${result.reason === undefined ? "" : `: ${result.reason}`}`,
    );
    if (incident !== null) {
      human(
        `${command}: writer ${state.writer}; RPO ${incident.rpoSeconds === null ? "unknown" : `${incident.rpoSeconds} s`}` +
          (incident.rtoSeconds === null ? "" : `, RTO ${incident.rtoSeconds} s`),
      );
    }
    if (flags.json === true) {
      io.out(
        JSON.stringify(
          {
            command,
            stack: env.stack,
            operationId: result.operationId,
            outcome: result.outcome,
            failedStep: result.failedStep ?? null,
            reason: result.reason ?? null,
            from: move.from,
            to: move.to,
            writer: state.writer,
            rpoSeconds: incident?.rpoSeconds ?? null,
            rtoSeconds: incident?.rtoSeconds ?? null,
            incident,
            regions: regionSummary(state),
            exitCode: code,
          },
          null,
          2,
        ),
      );
    }
    io.exitCode = code;
  } finally {
    options.dispose();
  }
}
