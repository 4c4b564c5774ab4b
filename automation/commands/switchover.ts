import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import type { LoadedEnvironment } from "../context";
import { UsageError } from "../errors";
import type { Plan, Refusal } from "../plans/steps";
import { planSwitchover } from "../plans/switchover";
import type { Ports } from "../ports";
import { describeThroughHealthy } from "../watch/describeDatabase";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  withOperationPorts,
} from "./operationCli";
import { healthTable, observeHealth, reportDryRun, reportRefusal, runWriterMove } from "./recoveryCli";
import type { HealthView } from "../health/healthView";
import type { GlobalClusterView } from "../ports";
import type { OperationalState } from "../../components/operationalState";

export interface PlannedMoveFlags extends EnvironmentFlags {
  readonly to?: string;
  readonly dryRun?: boolean;
}

export interface PlannedMoveDecision {
  readonly refused: false;
  readonly plan: Plan;
  readonly from: string;
  readonly to: string;
  readonly lagSeconds: number | null;
}

/**
 * A planned writer move (switchover, failback): every region proves its health for
 * failover.recoveryThreshold observations, the database is described through the writer, the
 * planner checks the rules, and the plan runs with its incident record (RPO 0).
 */
export async function plannedMove(
  io: CliIo,
  command: "switchover" | "failback",
  flags: PlannedMoveFlags,
  env: LoadedEnvironment,
  ports: Ports,
  plan: (input: {
    state: OperationalState;
    view: HealthView;
    database: GlobalClusterView | null;
    id: string;
  }) => PlannedMoveDecision | Refusal,
): Promise<void> {
  const human = humanWriter(io, flags.json);
  const state = reconcileState(env.config, (await ports.state.read())?.state ?? null);
  const { tracker, view } = await observeHealth(
    env.config,
    ports,
    env.config.failover.recoveryThreshold,
    false,
  );
  for (const line of healthTable(tracker, state, ports.clock.now())) human(line);
  const notes: string[] = [];
  const database = await describeThroughHealthy(env.config, state, view, ports.database, notes);
  for (const n of notes) human(`note: ${n}`);
  const id = `${command}-${new Date(ports.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`;
  const decision = plan({ state, view, database, id });
  if (decision.refused) {
    reportRefusal(io, command, flags, decision);
    return;
  }
  if (flags.dryRun === true) {
    reportDryRun(io, command, flags, decision.plan, {
      from: decision.from,
      to: decision.to,
      lagSeconds: decision.lagSeconds,
    });
    return;
  }
  await runWriterMove(io, command, flags, env, ports, {
    plan: decision.plan,
    kind: command,
    from: decision.from,
    to: decision.to,
    rpoSeconds: 0,
    faultAt: null,
  });
}

export function checkTarget(env: LoadedEnvironment, to: string | undefined): void {
  if (to !== undefined && !env.config.regions.some((r) => r.region === to)) {
    throw new UsageError(`--to ${to} is not a region of ${env.config.environment}`, [
      `regions: ${env.config.regions.map((r) => r.region).join(", ")}`,
    ]);
  }
}

/** `regionctl switchover --to REGION`: planned move of the writer, RPO 0. */
export function registerSwitchover(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("switchover")
      .description("move the writer to REGION with no data loss (needs its lag within database.rpoSeconds)")
      .option("--to <region>", "the region to make the writer")
      .option("--dry-run", "print the plan; change nothing"),
  ).action(async (flags: PlannedMoveFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    if (flags.to === undefined) problems.push("--to REGION is required");
    const env = await environmentOrUsage(flags, problems);
    checkTarget(env, flags.to);
    await withOperationPorts(io, "switchover", flags, env, (ports) =>
      plannedMove(io, "switchover", flags, env, ports, ({ state, view, database, id }) =>
        planSwitchover({ config: env.config, state, health: view, database, to: flags.to as string, id }),
      ),
    );
  });
}
