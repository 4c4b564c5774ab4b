import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import type { ExecutorOptions, OperationResult } from "../executor";
import {
  type EnvironmentFlags,
  environmentOrUsage,
  executorOptions,
  flagProblems,
  reportResult,
  withOperationPorts,
} from "./operationCli";

/** promote, abort and resume: load, run one executor entry point on the operation in flight, report. */
export function operationAction<F extends EnvironmentFlags>(
  io: CliIo,
  name: string,
  run: (options: ExecutorOptions, flags: F) => Promise<OperationResult>,
): (flags: F, command: Command) => Promise<void> {
  return async (flags, command) => {
    const env = await environmentOrUsage(flags, flagProblems(flags, command.args));
    await withOperationPorts(io, name, flags, env, async (ports) => {
      const options = executorOptions(env, ports, io);
      try {
        reportResult(io, name, flags, env, await run(options, flags));
      } finally {
        options.dispose();
      }
    });
  };
}
