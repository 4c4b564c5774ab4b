import type { Command } from "commander";
import { reconcileState } from "../../components/operationalState";
import type { CliIo } from "../cliIo";
import { planFailover } from "../plans/failover";
import { describeThroughHealthy } from "../watch/describeDatabase";
import { supersedable } from "../watch/supersede";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  withOperationPorts,
} from "./operationCli";
import { healthTable, observeHealth, reportDryRun, reportRefusal, runWriterMove } from "./recoveryCli";
import { checkTarget } from "./switchover";

interface FailoverFlags extends EnvironmentFlags {
  readonly to?: string;
  readonly allowUnknownLag?: boolean;
  readonly detachFallback?: boolean;
  readonly rounds?: string;
  readonly dryRun?: boolean;
}

/**
 * `regionctl failover`: the unplanned move of the writer, as a person runs it (manual mode prints
 * this command). It confirms the writer is down (failover.failureThreshold failed observations),
 * picks the healthy secondary with the least lag (or checks `--to`), and runs the same plan the
 * watcher runs in auto mode.
 */
export function registerFailover(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("failover")
      .description(
        "fail the writer over to a healthy secondary (unplanned: may lose the target's replication lag)",
      )
      .option("--to <region>", "the region to promote (default: the healthy secondary with the least lag)")
      .option("--allow-unknown-lag", "accept a target whose replication lag cannot be measured (with --to)")
      .option("--no-detach-fallback", "do not detach-and-promote when the managed failover is impossible")
      .option(
        "--rounds <n>",
        "failed observations that confirm the writer is down (default: failover.failureThreshold)",
      )
      .option("--dry-run", "print the decision and the plan; change nothing"),
  ).action(async (flags: FailoverFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const rounds = flags.rounds === undefined ? undefined : Number(flags.rounds);
    if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) {
      problems.push(`--rounds must be a whole number from 1 to 20, got ${JSON.stringify(flags.rounds)}`);
    }
    if (flags.allowUnknownLag === true && flags.to === undefined)
      problems.push("--allow-unknown-lag needs --to REGION");
    const env = await environmentOrUsage(flags, problems);
    checkTarget(env, flags.to);
    await withOperationPorts(io, "failover", flags, env, async (ports) => {
      const human = humanWriter(io, flags.json);
      const { tracker, view } = await observeHealth(
        env.config,
        ports,
        rounds ?? env.config.failover.failureThreshold,
        true,
      );
      const leaseBefore = await ports.state.readLease();
      const state = reconcileState(env.config, (await ports.state.read())?.state ?? null);
      const leaseAfter = await ports.state.readLease();
      const live = [leaseBefore, leaseAfter].some((l) => l !== null && l.expiresAt > ports.clock.now());
      // A paused, failed or orphaned operation does not hold an emergency failover back.
      const stuck = state.operation !== null && supersedable(state.operation, live) ? state.operation : null;
      for (const line of healthTable(tracker, state, ports.clock.now())) human(line);
      const notes: string[] = [];
      const database = await describeThroughHealthy(env.config, state, view, ports.database, notes);
      for (const n of notes) human(`note: ${n}`);
      const id = `failover-${new Date(ports.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`;
      const decision = planFailover({
        config: env.config,
        state: stuck === null ? state : { ...state, operation: null },
        health: view,
        database,
        id,
        to: flags.to,
        allowUnknownLag: flags.allowUnknownLag,
        detachFallback: flags.detachFallback,
      });
      if (decision.refused) {
        reportRefusal(io, "failover", flags, decision);
        return;
      }
      for (const r of decision.rejected) human(`not chosen: ${r}`);
      if (stuck !== null) human(`supersedes ${stuck.kind} ${stuck.id} (${stuck.phase}): it ends as aborted`);
      if (flags.dryRun === true) {
        reportDryRun(io, "failover", flags, decision.plan, {
          from: decision.from,
          to: decision.to,
          lagSeconds: decision.lagSeconds,
        });
        return;
      }
      await runWriterMove(io, "failover", flags, env, ports, {
        plan: decision.plan,
        kind: "failover",
        from: decision.from,
        to: decision.to,
        rpoSeconds: decision.lagSeconds,
        faultAt: tracker[decision.from]?.failingSince ?? null,
        supersedes: stuck?.id,
      });
    });
  });
}
