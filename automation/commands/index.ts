import type { Command } from "commander";
import type { CliIo } from "../cliIo";

/** A CLI command: registers itself and returns its exit code through the action's result. */
export type CommandModule = (program: Command, io: CliIo) => void;

/** Every command, in help order. */
export const commands: CommandModule[] = [];
