import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { openPorts } from "../context";
import { EXIT_OK } from "../errors";
import { planFromRecord } from "../executor/planRecord";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  regionSummary,
  regionTable,
} from "./operationCli";

/** `regionctl status`: the operational state, the operation in flight and the lease. Read-only. */
export function registerStatus(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("status")
      .description("show the writer, each region's release, the operation in flight and the lease"),
  ).action(async (flags: EnvironmentFlags, command: Command) => {
    const env = await environmentOrUsage(flags, flagProblems(flags, command.args));
    const ports = await openPorts(env);
    const human = humanWriter(io, flags.json);
    const stored = await ports.state.read();
    const lease = await ports.state.readLease();
    const state = reconcileState(env.config, stored?.state ?? null);
    const now = ports.clock.now();

    human(`environment ${env.config.environment} (stack ${env.stack}), state in ${ports.state.location}`);
    human(
      stored === null
        ? "no operational state stored yet: every region is on the config's version"
        : `revision ${state.revision}, writer ${state.writer}`,
    );
    for (const line of regionTable(state)) human(line);
    const op = state.operation;
    let current: string | null = null;
    if (op !== null) {
      let total: number | string = "?";
      try {
        const plan = planFromRecord(op.id, op.plan);
        const list = op.phase === "compensating" ? plan.compensation : plan.steps;
        total = list.length;
        current = list[op.cursor]?.id ?? null;
      } catch {
        // An unreadable plan is reported by resume/abort; status still shows the rest.
      }
      human(
        `operation ${op.id} (${op.kind}): ${op.phase}, step ${op.cursor + 1}/${total}${current === null ? "" : ` ${current}`}`,
      );
      if (op.reason !== null) human(`  reason: ${op.reason}`);
      if (typeof op.abortRequestedBy === "string") {
        human(`  abort requested by ${op.abortRequestedBy}: the run holding the lease stops and rolls back`);
      }
      if (op.phase === "paused")
        human("  next: `regionctl promote` (or `promote --full`) continues, `regionctl abort` rolls back");
      if (op.phase === "running" || op.phase === "compensating" || op.phase === "failed") {
        human(
          "  if no regionctl process is running it: `regionctl resume` continues, `regionctl abort` rolls back",
        );
      }
    } else {
      human("no operation in flight");
    }
    if (lease === null) {
      human("lease: free");
    } else {
      const live = lease.expiresAt > now;
      human(
        `lease: ${live ? "held" : "expired"} by ${lease.holder} for ${lease.operation} (until ${new Date(lease.expiresAt).toISOString()})`,
      );
    }
    const relaxed = state.rpoGuardRelaxed ?? [];
    if (relaxed.length > 0)
      human(
        `managed-RPO guard relaxed on ${relaxed.join(", ")}: restored when the writer has a reachable secondary again`,
      );
    const deferred = state.deferredStackUpdate ?? null;
    if (deferred !== null) {
      human(
        `stack update pending since ${deferred.queuedAt} (deferred by ${deferred.operationId} ${deferred.stepId}): ${deferred.attempts} attempt(s) failed, last: ${deferred.lastError}; the watcher tries again from ${deferred.nextAttemptAt}`,
      );
    }
    const last = state.history.at(-1);
    if (last !== undefined)
      human(
        `last operation: ${last.id} (${last.kind}) ${last.phase}${last.reason === null ? "" : `: ${last.reason}`}`,
      );

    if (flags.json === true) {
      io.out(
        JSON.stringify(
          {
            command: "status",
            outcome: "ok",
            stack: env.stack,
            environment: env.config.environment,
            location: ports.state.location,
            stored: stored !== null,
            revision: state.revision,
            writer: state.writer,
            regions: regionSummary(state),
            operation:
              op === null
                ? null
                : {
                    id: op.id,
                    kind: op.kind,
                    phase: op.phase,
                    cursor: op.cursor,
                    currentStep: current,
                    reason: op.reason,
                    abortRequestedBy: op.abortRequestedBy ?? null,
                    steps: op.steps,
                  },
            lease:
              lease === null
                ? null
                : {
                    holder: lease.holder,
                    operation: lease.operation,
                    expiresAt: new Date(lease.expiresAt).toISOString(),
                    live: lease.expiresAt > now,
                  },
            history: state.history.map((h) => ({
              id: h.id,
              kind: h.kind,
              phase: h.phase,
              startedAt: h.startedAt,
              finishedAt: h.finishedAt,
              reason: h.reason,
            })),
            replicationQueue: state.replicationQueue,
            sync: state.sync,
            rpoGuardRelaxed: relaxed,
            deferredStackUpdate: deferred,
            exitCode: EXIT_OK,
          },
          null,
          2,
        ),
      );
    }
    io.exitCode = EXIT_OK;
  });
}
