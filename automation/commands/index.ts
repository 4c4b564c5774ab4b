import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { registerAbort } from "./abort";
import { registerDeploy } from "./deploy";
import { registerDrill } from "./drill";
import { registerPromote } from "./promote";
import { registerResume } from "./resume";
import { registerStatus } from "./status";
import { registerValidate } from "./validate";
import { registerCheck } from "./check";
import { registerFailback } from "./failback";
import { registerFailover } from "./failover";
import { registerIamPolicy } from "./iamPolicy";
import { registerReplication } from "./replication";
import { registerSwitchover } from "./switchover";
import { registerSync } from "./sync";
import { registerWatch } from "./watch";

/** A CLI command: registers itself and returns its exit code through the action's result. */
export type CommandModule = (program: Command, io: CliIo) => void;

/** Every command, in help order. */
export const commands: CommandModule[] = [
  registerDrill,
  registerDeploy,
  registerStatus,
  registerPromote,
  registerAbort,
  registerResume,
  registerValidate,
  registerWatch,
  registerCheck,
  registerFailover,
  registerSwitchover,
  registerFailback,
  registerReplication,
  registerSync,
  registerIamPolicy,
];
