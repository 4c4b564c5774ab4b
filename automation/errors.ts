import { ConfigError } from "../components/configError";
import type { OperationOutcome } from "./executor";

/** Exit codes CI acts on; `docs/commands.md` has the table. */
export const EXIT_OK = 0;
/** The operation failed, was refused by a safety rule, or rolled back. */
export const EXIT_FAILED = 1;
/** Bad flags, config or scenario: nothing was changed. */
export const EXIT_USAGE = 2;
/** The operation is paused, waiting for a person (`promote` continues it, `abort` rolls it back). */
export const EXIT_PAUSED = 3;
/** A mandatory policy of the policy pack blocks the change. */
export const EXIT_POLICY = 4;

/** A user mistake in flags or files. Printed without a stack trace; exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** An operation that ran and did not succeed (failed, refused, rolled back). Exit 1. */
export class OperationFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperationFailedError";
  }
}

/**
 * A problem with the machine the controller runs on (no Pulumi login, no kube context, no AWS
 * credentials), with the command that fixes it. Exit 2: nothing was changed.
 */
export class EnvironmentSetupError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "EnvironmentSetupError";
  }
}

/**
 * Exit code of an operation's outcome, for the CLI and for the drill's record of what a person's
 * command would have returned. `abort` that rolled back as asked succeeded.
 */
export function exitCodeForOutcome(outcome: OperationOutcome, command: string): number {
  switch (outcome) {
    case "succeeded":
      return EXIT_OK;
    case "paused":
      return EXIT_PAUSED;
    case "aborted":
      return command === "abort" ? EXIT_OK : EXIT_FAILED;
    default:
      return EXIT_FAILED;
  }
}

/** Exit code of a refusal: re-releasing what every region already serves is a no-op, not a failure. */
export function exitCodeForRefusal(rule: string): number {
  return rule === "already-deployed" ? EXIT_OK : EXIT_FAILED;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof EnvironmentSetupError)
    return EXIT_USAGE;
  return EXIT_FAILED;
}
