import { CommandError, ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { StackLockedError, StackUpdateError } from "../../ports";

/** Turns what a failed engine command threw into the errors the controller acts on. */

/** The CLI's stderr, which CommandError only keeps inside its message. */
export function commandStderr(err: Error): string {
  const match = /\n stderr: ([\s\S]*?)\n err\?: /.exec(err.message);
  return (match?.[1] ?? "").trim();
}

/** Who holds the lock, from the CLI's "the stack is currently locked by ..." text. */
export function lockDetail(stderr: string): string {
  const holders = stderr
    .split("\n")
    .map((l) => /created by (.+)$/.exec(l.trim())?.[1])
    .filter((h): h is string => h !== undefined);
  return holders.length > 0 ? `lock held by ${holders.join("; ")}` : "another update holds the stack lock";
}

/** The engine's own words: its error diagnostics, else the `error:` lines of stderr, else all of it. */
export function engineMessage(diagnostics: readonly string[], stderr: string, fallback: string): string {
  if (diagnostics.length > 0) {
    return diagnostics.join("\n");
  }
  const errorLines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("error:"));
  if (errorLines.length > 0) {
    return errorLines.join("\n");
  }
  return stderr !== "" ? stderr : fallback;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/**
 * The error to throw for a failed engine command: the abort reason when the caller cancelled,
 * StackLockedError when another update holds the stack, StackUpdateError with the engine's message
 * for any other command failure, anything else unchanged.
 */
export function translateEngineError(
  err: unknown,
  stack: string,
  diagnostics: readonly string[],
  signal?: AbortSignal,
): unknown {
  if (signal?.aborted === true) {
    return abortReason(signal);
  }
  if (err instanceof ConcurrentUpdateError) {
    return new StackLockedError(stack, lockDetail(commandStderr(err)));
  }
  if (err instanceof CommandError) {
    return new StackUpdateError(stack, engineMessage(diagnostics, commandStderr(err), err.message));
  }
  return err;
}
