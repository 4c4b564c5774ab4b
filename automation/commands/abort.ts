import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { abortOperation } from "../executor";
import { environmentOptions } from "./operationCli";
import { operationAction } from "./operationCommand";

/** `regionctl abort`: roll the operation in flight back now (or retry a failed rollback). */
export function registerAbort(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("abort")
      .description("roll back the operation in flight now: every region that moved returns to where it was"),
  ).action(operationAction(io, "abort", (options) => abortOperation(options)));
}
