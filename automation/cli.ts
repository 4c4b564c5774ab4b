import { Command, CommanderError } from "commander";
import { ConfigError } from "../components/config";
import { type CliIo, processIo } from "./cliIo";
import { commands } from "./commands";
import { EXIT_USAGE, UsageError, exitCodeFor } from "./errors";

/** Builds the `regionctl` command tree; `main` runs it. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("regionctl")
    .description("Multi-region deployment for AWS on Pulumi: drills, promotions, failover.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  for (const register of commands) {
    register(program, io);
  }
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failed or rolled back, 2 usage or config error. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return io.exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Help and version are not errors; everything else commander rejects is a usage mistake.
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    io.err("error: invalid config:");
    for (const issue of err.issues) io.err(`  ${issue.path}: ${issue.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    io.err(`error: ${err.message}`);
    for (const p of err.problems) io.err(`  ${p}`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: ${message}`);
  if (process.env.REGIONCTL_DEBUG !== undefined && err instanceof Error && err.stack !== undefined) {
    io.err(err.stack);
  }
  return exitCodeFor(err);
}
