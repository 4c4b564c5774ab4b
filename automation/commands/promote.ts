import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { promoteOperation } from "../executor";
import { type EnvironmentFlags, environmentOptions } from "./operationCli";
import { operationAction } from "./operationCommand";

interface PromoteFlags extends EnvironmentFlags {
  readonly full?: boolean;
}

/** `regionctl promote [--full]`: continue a paused operation (an inconclusive canary, a pause step). */
export function registerPromote(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("promote")
      .description(
        "continue a paused operation past its pause; --full also skips every remaining pause, bake and wait",
      )
      .option("--full", "skip the remaining pauses, canary analyses and waits (health gates still run)"),
  ).action(
    operationAction<PromoteFlags>(io, "promote", (options, flags) =>
      promoteOperation(options, flags.full === true),
    ),
  );
}
