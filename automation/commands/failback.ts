import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { planFailback } from "../plans/failback";
import { environmentOptions, environmentOrUsage, flagProblems, withOperationPorts } from "./operationCli";
import { type PlannedMoveFlags, checkTarget, plannedMove } from "./switchover";

/**
 * `regionctl failback`: once the region the last failover left is healthy, its cluster back in the
 * global database and connected, and its lag within the RPO bound, switch the writer back (RPO 0).
 */
export function registerFailback(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("failback")
      .description(
        "move the writer back to the region the last failover left, once it is healthy and connected (RPO 0)",
      )
      .option("--to <region>", "the region to move the writer to (default: the one the last failover left)")
      .option("--dry-run", "print the plan; change nothing"),
  ).action(async (flags: PlannedMoveFlags, command: Command) => {
    const env = await environmentOrUsage(flags, flagProblems(flags, command.args));
    checkTarget(env, flags.to);
    await withOperationPorts(io, "failback", flags, env, (ports) =>
      plannedMove(io, "failback", flags, env, ports, ({ state, view, database, id }) =>
        planFailback({ config: env.config, state, health: view, database, id, to: flags.to }),
      ),
    );
  });
}
