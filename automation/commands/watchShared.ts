import type { CliIo } from "../cliIo";
import { EXIT_FAILED, EXIT_OK, EXIT_PAUSED } from "../errors";
import type { LoadedEnvironment } from "../context";
import type { Ports } from "../ports";
import { type Watcher, createWatcher } from "../watch/watcher";
import { holderName } from "./operationCli";

/**
 * The watcher as the CLI runs it: progress on stderr, the stack named in the printed commands.
 * `dryRun` decides and reports only (`check`).
 */
export function cliWatcher(
  env: LoadedEnvironment,
  ports: Ports,
  io: CliIo,
  signal: AbortSignal,
  options: { readonly dryRun?: boolean } = {},
): Watcher {
  return createWatcher({
    ...options,
    config: env.config,
    ports,
    holder: holderName(),
    stack: env.stack,
    signal,
    onEvent: (line) => io.err(`  ${line}`),
  });
}

/** Ctrl-C / SIGTERM stop the loop and interrupt a running operation where it is (resumable). */
export function stopOnSignals(io: CliIo): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => {
    io.err(
      "stopping: a running operation is interrupted where it is; the watcher or `regionctl resume` continues it",
    );
    controller.abort(new Error("stopped"));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    },
  };
}

export function parseCount(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}

/** The exit code of a tick's report, and the outcome word the JSON envelope carries with it. */
export function tickOutcome(exitCode: 0 | 1 | 3): { readonly code: number; readonly outcome: string } {
  if (exitCode === 1) return { code: EXIT_FAILED, outcome: "needs-attention" };
  if (exitCode === 3) return { code: EXIT_PAUSED, outcome: "waiting-for-person" };
  return { code: EXIT_OK, outcome: "ok" };
}
