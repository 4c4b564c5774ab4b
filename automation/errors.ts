import { ConfigError } from "../components/config";

/** Exit codes CI acts on. */
export const EXIT_OK = 0;
/** The operation failed, was refused by a safety rule, or rolled back. */
export const EXIT_FAILED = 1;
/** Bad flags, config or scenario: nothing was changed. */
export const EXIT_USAGE = 2;

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

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return EXIT_USAGE;
  return EXIT_FAILED;
}
