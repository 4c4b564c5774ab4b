import type { Command } from "commander";
import { type CliIo, writeJson } from "../cliIo";
import { EXIT_OK, UsageError } from "../errors";
import { iamPolicy } from "../iamPolicy";
import { type EnvironmentFlags, environmentOptions, environmentOrUsage, flagProblems } from "./operationCli";

/**
 * `regionctl iam-policy [--stack NAME | --config FILE]`: prints the controller's least-privilege IAM
 * policy (JSON) for exactly the AWS actions it calls. With an environment, resources are scoped to
 * its hosted zone, clusters and state object or table; without one, they are `*`.
 */
export function registerIamPolicy(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("iam-policy")
      .description("print the least-privilege IAM policy (JSON) for the AWS actions the controller calls"),
  ).action(async (flags: EnvironmentFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const scoped = flags.stack !== undefined || flags.config !== undefined;
    const env = scoped ? await environmentOrUsage(flags, problems) : undefined;
    if (!scoped && problems.length > 0) {
      throw new UsageError(`${problems.length} problem(s); nothing was changed:`, problems);
    }
    // The policy itself is the output (ready for IAM); --json wraps it in the common envelope.
    if (flags.json === true)
      writeJson(
        io,
        { command: "iam-policy", outcome: "ok", exitCode: EXIT_OK },
        { policy: iamPolicy(env?.config) },
      );
    else io.out(JSON.stringify(iamPolicy(env?.config), null, 2));
    io.exitCode = EXIT_OK;
  });
}
