import { Command, CommanderError } from "commander";
import { ConfigError } from "../components/configError";
import { type CliIo, processIo, writeJson } from "./cliIo";
import { type CommandEntry, commandNamed, commands } from "./commands/index";
import { confirmDestructive, destructiveOptions } from "./confirmation";
import { EXIT_USAGE, EnvironmentSetupError, UsageError, exitCodeFor } from "./errors";
import { failureHint } from "./failureHints";
import { packageVersion } from "./packageRoot";
import { parseStatusWatch, runStatusWatch, statusWatchOptions } from "./statusWatch";

/**
 * Builds the `regionctl` command tree for one argument list: the command it names is loaded and
 * registered in full, every other one only by name and description, so `regionctl --help` and a
 * drill never load the engine, the Kubernetes client or the AWS SDKs. Without `args`, every
 * command is loaded.
 */
export async function buildProgram(io: CliIo, args?: readonly string[]): Promise<Command> {
  const program = new Command("regionctl")
    .description("Multi-region deployment for AWS on Pulumi: drills, promotions, failover.")
    .version(packageVersion(), "-V, --version", "print regionctl's version")
    .enablePositionalOptions()
    .showHelpAfterError()
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const chosen = args === undefined ? undefined : commandNamed(args);
  for (const entry of commands) {
    if (args === undefined || entry === chosen) await registerFull(program, io, entry);
    else program.command(entry.name).description(entry.description);
  }
  program.hook("preAction", async (_program, action) => {
    await confirmDestructive(io, action);
  });
  return program;
}

async function registerFull(program: Command, io: CliIo, entry: CommandEntry): Promise<void> {
  (await entry.load())(program, io);
  const command = program.commands.find((c) => c.name() === entry.name);
  if (command !== undefined) {
    destructiveOptions(command);
    statusWatchOptions(command);
    const json = command.options.find((o) => o.long === "--json");
    if (entry.name === "watch" && json !== undefined) {
      json.description = "print JSON Lines on stdout: one object per observation, then the result";
    }
  }
}

/**
 * Runs the CLI and returns the exit code (the table is in `docs/commands.md`). With `--json`, stdout
 * carries exactly one JSON document whatever happens, errors included.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const args = argv.slice(2);
  const watch = parseStatusWatch(args);
  if (watch === null) return runOnce(argv, io);
  if (watch.problems.length > 0) {
    return runOnce(argv, io, new UsageError(`${watch.problems.length} problem(s):`, watch.problems));
  }
  return runStatusWatch(watch, io, async (once) => {
    if (!once.includes("--json")) return runOnce([...argv.slice(0, 2), ...once], { ...io, exitCode: 0 });
    // JSON Lines: each refresh's document on one line.
    const lines: string[] = [];
    const buffered: CliIo = { ...io, exitCode: 0, out: (line) => lines.push(line) };
    const code = await runOnce([...argv.slice(0, 2), ...once], buffered);
    if (lines.length > 0) io.out(JSON.stringify(JSON.parse(lines.join("\n"))));
    return code;
  });
}

/** One run of one command; `failure` reports a problem found before the command runs. */
async function runOnce(argv: readonly string[], io: CliIo, failure?: Error): Promise<number> {
  const args = argv.slice(2);
  const json = args.includes("--json");
  const command = commandNamed(args)?.name ?? "regionctl";
  try {
    if (failure !== undefined) throw failure;
    const program = await buildProgram(io, args);
    await program.parseAsync([...argv]);
    return io.exitCode;
  } catch (err) {
    const report = errorReport(err);
    for (const line of report.lines) io.err(line);
    if (report.debug) printStack(err, io);
    if (json && report.outcome !== null && io.wroteOut !== true) {
      writeJson(
        io,
        { command, outcome: report.outcome, exitCode: report.exitCode },
        {
          error: report.message,
          problems: report.problems,
          ...(report.fix === null ? {} : { fix: report.fix }),
        },
      );
    }
    return report.exitCode;
  }
}

interface ErrorReport {
  readonly exitCode: number;
  /** The `--json` outcome; null for help and version, which are not errors. */
  readonly outcome: string | null;
  readonly message: string;
  readonly problems: readonly string[];
  readonly fix: string | null;
  /** Lines for stderr (commander prints its own). */
  readonly lines: readonly string[];
  readonly debug: boolean;
}

function errorReport(err: unknown): ErrorReport {
  const base = { problems: [] as string[], fix: null, lines: [] as string[], debug: false };
  if (err instanceof CommanderError) {
    // Help and version are not errors; everything else commander rejects is a usage mistake.
    if (err.exitCode === 0) return { ...base, exitCode: 0, outcome: null, message: err.message };
    const [message, ...problems] = err.message.replace(/^error: /, "").split("\n");
    return { ...base, exitCode: EXIT_USAGE, outcome: "usage-error", message, problems };
  }
  if (err instanceof ConfigError) {
    const problems = err.issues.map((i) => `${i.path}: ${i.message}`);
    return {
      ...base,
      exitCode: EXIT_USAGE,
      outcome: "config-error",
      message: "invalid config",
      problems,
      lines: ["error: invalid config:", ...problems.map((p) => `  ${p}`)],
    };
  }
  if (err instanceof UsageError) {
    return {
      ...base,
      exitCode: EXIT_USAGE,
      outcome: "usage-error",
      message: err.message,
      problems: err.problems,
      lines: [`error: ${err.message}`, ...err.problems.map((p) => `  ${p}`)],
    };
  }
  if (err instanceof EnvironmentSetupError) {
    return {
      ...base,
      exitCode: exitCodeFor(err),
      outcome: "setup-error",
      message: err.message,
      fix: err.fix,
      lines: [`error: ${err.message}`, `  fix: ${err.fix}`],
      debug: true,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const hint = failureHint(err);
  if (hint !== null) {
    // The underlying tool's words stay available for a bug report, behind REGIONCTL_DEBUG.
    return {
      ...base,
      exitCode: EXIT_USAGE,
      outcome: "setup-error",
      message: hint.problem,
      fix: hint.fix,
      lines: [`error: ${hint.problem}`, `  fix: ${hint.fix}`],
      debug: true,
    };
  }
  return {
    ...base,
    exitCode: exitCodeFor(err),
    outcome: "error",
    message,
    lines: [`error: ${message}`],
    debug: true,
  };
}

function printStack(err: unknown, io: CliIo): void {
  const cause = err instanceof EnvironmentSetupError ? err.cause : err;
  if (process.env.REGIONCTL_DEBUG !== undefined && cause instanceof Error && cause.stack !== undefined) {
    io.err(cause.stack);
  }
}
