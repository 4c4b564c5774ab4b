import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { EXIT_OK, UsageError } from "../errors";
import { runPlan } from "../executor";
import { isRefusal } from "../plans/steps";
import { planSync } from "../plans/sync";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  executorOptions,
  exitCodeForOutcome,
  flagProblems,
  humanWriter,
  table,
  withOperationPorts,
} from "./operationCli";
import { reportRefusal } from "./recoveryCli";

interface SyncFlags extends EnvironmentFlags {
  readonly region?: string[];
  readonly wait?: boolean;
}

/**
 * `regionctl sync [--region R]... [--wait]`: runs the secondary regions' sync jobs now, each as a
 * Job made from its CronJob. With `--wait` the run is an operation: followed to completion, the
 * watermark and status recorded in the state, a failure retried `sync.retrySeconds` later by the
 * watcher. Without it, the Jobs are started and the command returns their names.
 */
export function registerSync(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("sync")
      .description("run the secondary regions' sync jobs now (default: every secondary)")
      .option(
        "--region <region>",
        "a secondary region to sync (repeatable)",
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option("--wait", "follow the runs to completion and record their watermarks"),
  ).action(async (flags: SyncFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const env = await environmentOrUsage(flags, problems);
    const unknown = (flags.region ?? []).filter((r) => !env.config.regions.some((x) => x.region === r));
    if (unknown.length > 0) {
      throw new UsageError(`not a region of ${env.config.environment}: ${unknown.join(", ")}`);
    }
    await withOperationPorts(io, "sync", flags, env, async (ports) => {
      const human = humanWriter(io, flags.json);
      const state = reconcileState(env.config, (await ports.state.read())?.state ?? null);
      const id = `sync-${new Date(ports.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`;
      const plan = planSync(env.config, state, id, flags.region);
      if (isRefusal(plan)) {
        reportRefusal(io, "sync", flags, plan);
        return;
      }
      if (flags.wait !== true) {
        const trigger = ports.sync.trigger?.bind(ports.sync);
        if (trigger === undefined) {
          reportRefusal(io, "sync", flags, {
            refused: true,
            rule: "sync-needs-wait",
            reason: "this sync adapter can only run and wait: use --wait",
          });
          return;
        }
        const jobs: Record<string, string> = {};
        for (const region of plan.regions) {
          jobs[region] = await trigger(region);
          human(
            `sync ${region}: started Job ${jobs[region]} (not followed; \`regionctl sync --region ${region} --wait\` records a watermark)`,
          );
        }
        if (flags.json === true)
          io.out(JSON.stringify({ command: "sync", outcome: "started", jobs, exitCode: EXIT_OK }, null, 2));
        io.exitCode = EXIT_OK;
        return;
      }
      human(`sync: ${plan.summary}`);
      const options = executorOptions(env, ports, io);
      try {
        const result = await runPlan(plan, options);
        const sync = Object.fromEntries(plan.regions.map((r) => [r, result.state.sync[r] ?? null]));
        const rows = plan.regions.map((r) => {
          const s = result.state.sync[r];
          return [r, s?.status ?? "-", s?.lastSync ?? "-", s?.lastError ?? "-", s?.nextRunAt ?? "-"];
        });
        for (const line of table([["REGION", "STATUS", "WATERMARK", "LAST ERROR", "RETRY AT"], ...rows]))
          human(line);
        const code = exitCodeForOutcome(result.outcome, "sync");
        human(
          `sync: operation ${result.operationId} ${result.outcome}${result.reason === undefined ? "" : `: ${result.reason}`}`,
        );
        if (flags.json === true) {
          io.out(
            JSON.stringify(
              {
                command: "sync",
                operationId: result.operationId,
                outcome: result.outcome,
                reason: result.reason ?? null,
                sync,
                exitCode: code,
              },
              null,
              2,
            ),
          );
        }
        io.exitCode = code;
      } finally {
        options.dispose();
      }
    });
  });
}
