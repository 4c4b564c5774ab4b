import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { EXIT_OK } from "../errors";
import { describeThroughHealthy } from "../watch/describeDatabase";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  table,
  withOperationPorts,
} from "./operationCli";
import { observeHealth } from "./recoveryCli";

/**
 * `regionctl replication`: the global database's members as a healthy region sees them, and the
 * replication retry queue (regions waiting for a re-attach, their attempts, next try, last error).
 * Read-only: the watcher works the queue.
 */
export function registerReplication(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("replication")
      .description("show the global database's members and the replication retry queue"),
  ).action(async (flags: EnvironmentFlags, command: Command) => {
    const env = await environmentOrUsage(flags, flagProblems(flags, command.args));
    await withOperationPorts(io, "replication", flags, env, async (ports) => {
      const human = humanWriter(io, flags.json);
      const state = reconcileState(env.config, (await ports.state.read())?.state ?? null);
      const { view } = await observeHealth(env.config, ports, 1, true);
      const notes: string[] = [];
      const database = await describeThroughHealthy(env.config, state, view, ports.database, notes);
      if (database === null) {
        human("global database: not described");
      } else {
        human(
          `global database ${database.id}: ${database.status}, writer ${database.writer ?? "none (moving)"}`,
        );
        const members = env.config.regions.map((r) => {
          const m = database.members.find((x) => x.region === r.region);
          return [
            r.region,
            m === undefined ? "MISSING" : m.isWriter ? "writer" : "secondary",
            m?.status ?? "-",
            m === undefined || m.isWriter ? "-" : m.lagSeconds === null ? "unknown" : `${m.lagSeconds} s`,
          ];
        });
        for (const line of table([["REGION", "MEMBER", "STATUS", "LAG"], ...members])) human(line);
      }
      for (const n of notes) human(`note: ${n}`);
      const queue = state.replicationQueue;
      if (queue.length === 0) {
        human("replication retry queue: empty");
      } else {
        human(`replication retry queue: ${queue.length} region(s)`);
        const rows = queue.map((q) => [
          q.region,
          String(q.attempts),
          q.nextAttemptAt,
          q.reason,
          q.lastError ?? "-",
        ]);
        for (const line of table([["REGION", "ATTEMPTS", "NEXT TRY", "REASON", "LAST ERROR"], ...rows]))
          human(line);
      }
      if (flags.json === true) {
        io.out(
          JSON.stringify(
            {
              command: "replication",
              outcome: "ok",
              stack: env.stack,
              database,
              queue,
              notes,
              exitCode: EXIT_OK,
            },
            null,
            2,
          ),
        );
      }
      io.exitCode = EXIT_OK;
    });
  });
}
