import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { runPlan } from "../executor";
import { planRotation } from "../plans/rotation";
import type { GlobalClusterView } from "../ports";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  executorOptions,
  flagProblems,
  humanWriter,
  reportResult,
  withOperationPorts,
} from "./operationCli";
import { reportDryRun, reportRefusal } from "./recoveryCli";

export interface RotatePasswordFlags extends EnvironmentFlags {
  readonly dryRun?: boolean;
}

/**
 * `regionctl rotate-password`: a new database master password on the writer's cluster, then in the
 * database secret, as one recorded operation under the lease. The password is never printed and
 * never stored in the operational state.
 */
export function registerRotatePassword(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("rotate-password")
      .description("set a new database master password on the writer's cluster, then in the database secret")
      .option("--dry-run", "print the plan; change nothing"),
  ).action(async (flags: RotatePasswordFlags, command: Command) => {
    const env = await environmentOrUsage(flags, flagProblems(flags, command.args));
    await withOperationPorts(io, "rotate-password", flags, env, async (ports) => {
      const human = humanWriter(io, flags.json);
      const state = reconcileState(env.config, (await ports.state.read())?.state ?? null);
      let database: GlobalClusterView | null = null;
      try {
        database = await ports.database.describe(state.writer);
      } catch (err) {
        human(
          `note: describing the global database through ${state.writer} failed: ${(err as Error).message}`,
        );
      }
      const id = `rotation-${new Date(ports.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`;
      const decision = planRotation({ state, database, id });
      if (decision.refused) {
        reportRefusal(io, "rotate-password", flags, decision);
        return;
      }
      if (flags.dryRun === true) {
        reportDryRun(io, "rotate-password", flags, decision.plan, { writer: decision.writer });
        return;
      }
      if (ports.clusters === undefined || ports.secret === undefined) {
        reportRefusal(io, "rotate-password", flags, {
          refused: true,
          rule: "ports-support-rotation",
          reason: "this environment's ports have no member clusters or database secret to rotate",
        });
        return;
      }
      human(`rotate-password: ${decision.plan.summary}`);
      const options = executorOptions(env, ports, io);
      try {
        reportResult(io, "rotate-password", flags, env, await runPlan(decision.plan, options));
      } finally {
        options.dispose();
      }
    });
  });
}
