import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { resumeOperation } from "../executor";
import { environmentOptions } from "./operationCli";
import { operationAction } from "./operationCommand";

/** `regionctl resume`: continue an interrupted operation (or a failed rollback) from its first unfinished step. */
export function registerResume(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("resume")
      .description(
        "continue the operation in flight from its first unfinished step (after a crash, Ctrl-C or failed rollback)",
      ),
  ).action(operationAction(io, "resume", (options) => resumeOperation(options)));
}
