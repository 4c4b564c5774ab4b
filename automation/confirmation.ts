import type { Command } from "commander";
import type { CliIo } from "./cliIo";
import { UsageError } from "./errors";

/** Commands that move the writer or roll regions back at once: a person confirms, or passes --yes. */
const DESTRUCTIVE: Readonly<Record<string, string>> = {
  failover: "fails the writer over now (an unplanned move: it may lose the target's replication lag)",
  abort: "rolls the operation in flight back now",
};

/** Adds `-y, --yes` to a destructive command. */
export function destructiveOptions(command: Command): void {
  if (DESTRUCTIVE[command.name()] === undefined) return;
  command.option("-y, --yes", "do not ask for confirmation (required when not at a terminal)");
}

/**
 * Before a destructive command runs: nothing to do with `--yes` or `--dry-run`; at a terminal, ask;
 * elsewhere (CI, a pipe) nobody can answer, so the command reports it with its other flag problems
 * (`unconfirmed`: exit 2, nothing changed).
 */
export async function confirmDestructive(io: CliIo, command: Command): Promise<void> {
  const what = DESTRUCTIVE[command.name()];
  if (what === undefined) return;
  const flags = command.opts<{ yes?: boolean; dryRun?: boolean; stack?: string }>();
  if (flags.yes === true || flags.dryRun === true) return;
  const name = `regionctl ${command.name()}`;
  if (io.ask === undefined) {
    command.setOptionValue("unconfirmed", `${name} ${what}: not at a terminal to confirm, so pass --yes`);
    return;
  }
  const stack = flags.stack === undefined ? "" : ` on stack ${flags.stack}`;
  const answer = await io.ask(`${name}${stack} ${what}. Continue? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new UsageError(`${name}: not confirmed. Nothing was changed.`);
  }
}
