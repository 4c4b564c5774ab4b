import type { Command } from "commander";
import { ConfigError } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { type LoadedEnvironment, loadEnvironment, openPorts, stopEngineNow } from "../context";
import { EXIT_FAILED, UsageError, exitCodeForOutcome } from "../errors";
import {
  type ExecutorOptions,
  type OperationOutcome,
  type OperationResult,
  OperationInterruptedError,
  OperationStateError,
  type ProgressEvent,
  StateWriteError,
} from "../executor";
import { holderName } from "../leaseHolder";
import { LeaseHeldError, LeaseLostError, type Ports, StateConflictError } from "../ports";

/** What the operation commands (deploy, status, promote, abort, resume) share. */

export interface EnvironmentFlags {
  readonly stack?: string;
  readonly config?: string;
  readonly json?: boolean;
  /** Set on a destructive command nobody confirmed (no `--yes`, no terminal). */
  readonly unconfirmed?: string;
  readonly program?: string;
}

/** Adds --stack, --config and --json, and collects unknown flags instead of stopping at the first. */
export function environmentOptions(command: Command): Command {
  return command
    .option("-s, --stack <name>", "the environment's stack: reads Pulumi.<name>.yaml")
    .option("--config <file>", "read the environment's config from this stack file instead")
    .option("--json", "print one JSON document on stdout (progress and messages go to stderr)")
    .option(
      "--program <dir>",
      "run this Pulumi program on this machine, with the ports its regionctl.ports.ts gives (no cloud account)",
    )
    .allowUnknownOption(true)
    .allowExcessArguments(true);
}

const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

/** Problems with the shared flags and with what commander could not place. */
export function flagProblems(flags: EnvironmentFlags, leftover: readonly string[]): string[] {
  const problems = leftover.map((arg) =>
    arg.startsWith("-") ? `unknown option ${arg}` : `unexpected argument ${arg}`,
  );
  if (flags.unconfirmed !== undefined) problems.push(flags.unconfirmed);
  if (flags.stack !== undefined && !STACK_NAME.test(flags.stack)) {
    problems.push(
      `--stack must be a Pulumi stack name (letters, digits, _ . -), got ${JSON.stringify(flags.stack)}`,
    );
  }
  return problems;
}

/**
 * Loads the environment. With `problems` from the flags, config problems are added to them and
 * everything is reported at once (exit 2) before anything is touched.
 */
export async function environmentOrUsage(
  flags: EnvironmentFlags,
  problems: readonly string[],
): Promise<LoadedEnvironment> {
  const all = [...problems];
  let env: LoadedEnvironment | undefined;
  const stackUsable = flags.stack === undefined || STACK_NAME.test(flags.stack);
  if (stackUsable) {
    try {
      env = await loadEnvironment({ stack: flags.stack, configFile: flags.config, program: flags.program });
    } catch (err) {
      if (err instanceof ConfigError) {
        all.push(...err.issues.map((i) => `${i.path}: ${i.message}`));
      } else if (err instanceof UsageError) {
        all.push(err.message, ...err.problems);
      } else {
        throw err;
      }
    }
  }
  if (all.length > 0 || env === undefined) {
    throw new UsageError(`${all.length} problem(s); nothing was changed:`, all);
  }
  return env;
}

export { holderName } from "../leaseHolder";

/** Human lines go to stdout, or to stderr when stdout carries JSON. */
export function humanWriter(io: CliIo, json: boolean | undefined): (line: string) => void {
  return (line) => (json === true ? io.err(line) : io.out(line));
}

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** One progress line: elapsed, step, region, message. Always on stderr. */
export function progressLine(e: ProgressEvent): string {
  const region = e.region === undefined ? "" : ` ${e.region}`;
  const where = e.kind === "operation" ? "" : `${e.stepId}${region}: `;
  return `[+${formatElapsed(e.elapsedMs)}] ${where}${e.message}`;
}

/** How often a run looks for an `abort` from another shell, and `abort` for the run to end. */
export const ABORT_POLL_MS = 1000;

/**
 * Executor options for a CLI run. The first SIGINT or SIGTERM stops the run where it is: the
 * engine finishes the resource operations in flight, saves its state and releases the stack lock,
 * and the operation stays in flight for `resume` or `abort`. A second one ends at once: the
 * engine's processes are killed with regionctl.
 */
export function executorOptions(
  env: LoadedEnvironment,
  ports: Ports,
  io: CliIo,
): ExecutorOptions & { dispose(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      io.err(
        `${signal}: stopping after the resource operations in flight; the operation stays in flight at its current step (\`regionctl resume\` continues it, \`regionctl abort\` rolls it back). ${signal} again stops at once.`,
      );
      controller.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    const killed = stopEngineNow();
    io.err(
      `${signal} again: stopped at once${killed > 0 ? ` and killed ${killed} engine process(es)` : ""}; the operation stays in flight at its current step and the stack may still be locked: \`regionctl resume\` cancels a lock left by a dead process and continues, \`regionctl abort\` rolls back`,
    );
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    config: env.config,
    ports,
    holder: holderName(),
    signal: controller.signal,
    onProgress: (e) => io.err(progressLine(e)),
    abortPollMs: ABORT_POLL_MS,
    dispose: () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    },
  };
}

export { exitCodeForOutcome };

export function regionSummary(state: OperationalState): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(state.regions).map(([region, r]) => [
      region,
      {
        version: r.version,
        activeColor: r.activeColor,
        canaryWeight: r.canaryWeight,
        releaseStatus: r.releaseStatus,
        drained: r.drained,
        excluded: r.excluded,
        note: r.note,
      },
    ]),
  );
}

export function regionTable(state: OperationalState): string[] {
  const rows = Object.entries(state.regions).map(([region, r]) => [
    region + (region === state.writer ? " (writer)" : ""),
    r.version,
    r.activeColor,
    r.canaryWeight === null ? "-" : `${r.canaryWeight} %`,
    r.releaseStatus ?? "-",
    [r.drained ? "drained" : "", r.excluded ? "excluded" : "", r.note ?? ""]
      .filter((x) => x !== "")
      .join(", "),
  ]);
  return table([["REGION", "VERSION", "COLOUR", "CANARY", "RELEASE", "NOTES"], ...rows]);
}

export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}

const NEXT_STEP: Partial<Record<OperationOutcome, string>> = {
  paused: "continue with `regionctl promote` (or `promote --full`), or roll back with `regionctl abort`",
  rollback_failed:
    "the rollback failed and the operation is still in flight: fix the cause, then `regionctl resume` (or `abort`) retries it",
};

/** Prints an operation's result (human lines, or the JSON document) and sets the exit code. */
export function reportResult(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  env: LoadedEnvironment,
  result: OperationResult,
): void {
  const human = humanWriter(io, flags.json);
  const code = exitCodeForOutcome(result.outcome, command);
  human(
    `${command}: operation ${result.operationId} ${result.outcome}${result.reason === undefined ? "" : `: ${result.reason}`}`,
  );
  const next = NEXT_STEP[result.outcome];
  if (next !== undefined) human(`next: ${next}`);
  for (const line of regionTable(result.state)) human(line);
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        {
          command,
          stack: env.stack,
          environment: env.config.environment,
          operationId: result.operationId,
          outcome: result.outcome,
          failedStep: result.failedStep ?? null,
          reason: result.reason ?? null,
          writer: result.state.writer,
          regions: regionSummary(result.state),
          exitCode: code,
        },
        null,
        2,
      ),
    );
  }
  io.exitCode = code;
}

/**
 * Errors an operation command reports as a refusal or a stop (exit 1), not as a crash: another
 * run holds the lease, nothing to promote, interrupted, the state store failing.
 */
export function reportOperationError(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  err: unknown,
): boolean {
  const known =
    err instanceof LeaseHeldError ||
    err instanceof LeaseLostError ||
    err instanceof OperationStateError ||
    err instanceof OperationInterruptedError ||
    err instanceof StateWriteError ||
    err instanceof StateConflictError;
  if (!known) return false;
  const message = (err as Error).message;
  io.err(`${command}: ${message}`);
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        { command, outcome: "error", error: (err as Error).name, reason: message, exitCode: EXIT_FAILED },
        null,
        2,
      ),
    );
  }
  io.exitCode = EXIT_FAILED;
  return true;
}

/** Runs an operation command's body with ports open, mapping the known errors to exit 1. */
export async function withOperationPorts(
  io: CliIo,
  command: string,
  flags: EnvironmentFlags,
  env: LoadedEnvironment,
  body: (ports: Ports) => Promise<void>,
): Promise<void> {
  const ports = await openPorts(env);
  try {
    await body(ports);
  } catch (err) {
    if (!reportOperationError(io, command, flags, err)) throw err;
  }
}
