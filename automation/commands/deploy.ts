import type { Command } from "commander";
import type { EnvironmentConfig, Strategy } from "../../components/config";
import { type OperationalState, reconcileState } from "../../components/operationalState";
import { type CliIo, writeJson } from "../cliIo";
import type { LoadedEnvironment } from "../context";
import { EXIT_FAILED, EXIT_OK } from "../errors";
import { runPlan } from "../executor";
import { planPromotion } from "../plans/promotion";
import { applyStatePatch } from "../plans/statePatch";
import { type Plan, type Step, isRefusal } from "../plans/steps";
import type { ChangeSummary, Ports } from "../ports";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  executorOptions,
  flagProblems,
  humanWriter,
  reportResult,
  table,
  withOperationPorts,
} from "./operationCli";

interface DeployFlags extends EnvironmentFlags {
  readonly version?: string;
  readonly strategy?: string;
  readonly dryRun?: boolean;
}

const STRATEGIES: readonly Strategy[] = ["rolling", "blue-green", "canary"];
/** Image-tag characters: what `app.version` becomes in the container image reference. */
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;

/**
 * `regionctl deploy`: plans a promotion of `--version` through the environment's regions and runs
 * it behind health gates, rolling back on its own. `--dry-run` prints the plan and each region's
 * stack diff and changes nothing.
 */
export function registerDeploy(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("deploy")
      .description(
        "promote a version through the regions (rolling, blue-green or canary) with automatic rollback",
      )
      .option("--version <version>", "the application version (image tag) to release")
      .option(
        "--strategy <strategy>",
        `one of ${STRATEGIES.join(", ")} (default: the config's release.strategy)`,
      )
      .option("--dry-run", "print the plan and each region's stack diff; change nothing"),
  ).action(async (flags: DeployFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    if (flags.version === undefined) {
      problems.push("--version is required");
    } else if (!VERSION.test(flags.version)) {
      problems.push(
        `--version must be an image tag (letters, digits, _ . + -), got ${JSON.stringify(flags.version)}`,
      );
    }
    if (flags.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(flags.strategy)) {
      problems.push(
        `--strategy must be one of ${STRATEGIES.join(", ")}, got ${JSON.stringify(flags.strategy)}`,
      );
    }
    const env = await environmentOrUsage(flags, problems);
    const version = flags.version ?? "";
    const strategy = (flags.strategy as Strategy | undefined) ?? env.config.release.strategy;

    await withOperationPorts(io, "deploy", flags, env, async (ports) => {
      const human = humanWriter(io, flags.json);
      const stored = (await ports.state.read())?.state ?? null;
      const plan = planPromotion(env.config, stored, version, {
        strategy,
        id: operationId(version, ports.clock.now()),
      });
      if (isRefusal(plan) && plan.rule === "already-deployed") {
        // Re-running a finished release (a retried CI job) is not a failure.
        human(`deploy: ${plan.reason}; nothing to do`);
        if (flags.json === true)
          writeJson(
            io,
            { command: "deploy", outcome: "already-released", exitCode: EXIT_OK },
            { reason: plan.reason },
          );
        io.exitCode = EXIT_OK;
        return;
      }
      if (isRefusal(plan)) {
        const lease = await ports.state.readLease();
        const holder =
          lease !== null && lease.expiresAt > ports.clock.now()
            ? `; ${lease.operation} held by ${lease.holder} until ${new Date(lease.expiresAt).toISOString()}`
            : "";
        io.err(`deploy refused (${plan.rule}): ${plan.reason}${holder}`);
        if (flags.json === true) {
          io.out(
            JSON.stringify(
              {
                command: "deploy",
                outcome: "refused",
                rule: plan.rule,
                reason: plan.reason + holder,
                exitCode: EXIT_FAILED,
              },
              null,
              2,
            ),
          );
        }
        io.exitCode = EXIT_FAILED;
        return;
      }
      if (flags.dryRun === true) {
        await dryRun(io, flags, env, ports, stored, plan);
        return;
      }
      human(`deploy ${version} to ${env.config.environment} (stack ${env.stack}): ${plan.summary}`);
      const options = executorOptions(env, ports, io);
      try {
        reportResult(io, "deploy", flags, env, await runPlan(plan, options));
      } finally {
        options.dispose();
      }
    });
  });
}

function operationId(version: string, now: number): string {
  return `deploy-${version}-${new Date(now).toISOString().replace(/[-:]|\.\d+/g, "")}`;
}

export interface RegionDiff {
  readonly region: string;
  /** Resource steps by operation (update, create, delete, replace...). */
  readonly changes: Readonly<Record<string, number>>;
}

/**
 * The plan, and what the stack would do. Nothing is written: the state the plan ends in is handed
 * to `preview` as a state override (StackEngine renders it instead of the stored document), for
 * every region the plan moves, in one preview; each change is attributed to its region by its
 * resource name (`<region>` or `<region>-...`, the project's naming rule).
 */
async function dryRun(
  io: CliIo,
  flags: DeployFlags,
  env: LoadedEnvironment,
  ports: Ports,
  stored: OperationalState | null,
  plan: Plan,
): Promise<void> {
  const human = humanWriter(io, flags.json);
  const start = reconcileState(env.config, stored);
  const final = plan.steps.reduce(
    (s, step) => (step.kind === "patchState" ? applyStatePatch(s, step.patch) : s),
    start,
  );
  const excludes = Object.keys(start.regions).filter((r) => start.regions[r].excluded);
  const summary = await ports.stack.preview({
    targets: { regions: plan.regions },
    excludes: excludes.length === 0 ? undefined : { regions: excludes },
    stateOverride: final,
    message: `regionctl deploy --dry-run ${plan.id}`,
  });
  const diffs = regionDiffs(env.config, plan.regions, summary);

  human(`dry run: ${plan.summary}`);
  human(`operation ${plan.id}, ${plan.steps.length} steps; nothing was changed`);
  plan.steps.forEach((step, i) =>
    human(`${String(i + 1).padStart(3)}. ${step.id} [${step.kind}] ${step.description}${stepNote(step)}`),
  );
  human("on failure (compensation):");
  for (const step of plan.compensation) human(`     ${step.id} [${step.kind}] ${step.description}`);
  human("stack changes by region (from the stack as deployed to the state after the plan):");
  for (const line of table([
    ["REGION", "CHANGES"],
    ...diffs.map((d) => [d.region, formatChanges(d.changes)]),
  ])) {
    human(`  ${line}`);
  }
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        {
          command: "deploy",
          outcome: "dry-run",
          dryRun: true,
          stack: env.stack,
          environment: env.config.environment,
          plan,
          stackChanges: {
            total: summary.changes,
            regions: Object.fromEntries(diffs.map((d) => [d.region, d.changes])),
          },
          exitCode: EXIT_OK,
        },
        null,
        2,
      ),
    );
  }
  io.exitCode = EXIT_OK;
}

function stepNote(step: Step): string {
  switch (step.kind) {
    case "stackUpdate":
      return step.targets === undefined ? "" : ` -> targets ${step.targets.join(", ")}`;
    case "healthGate":
      return ` (${step.consecutive} in a row, timeout ${step.timeoutSeconds} s)`;
    case "safetyGate":
      return ` (all at once; holds up to ${step.timeoutSeconds} s for a failing region, pauses for a failing writer)`;
    case "analysis":
      return ` (every ${step.intervalSeconds} s for ${step.bakeSeconds} s, limits: error rate ${step.maxErrorRate}, p95 ${step.maxLatencyMs} ms)`;
    default:
      return "";
  }
}

/** Each region's share of a preview's resource steps. */
export function regionDiffs(
  config: EnvironmentConfig,
  regions: readonly string[],
  summary: ChangeSummary,
): RegionDiff[] {
  const names = config.regions.map((r) => r.region);
  return regions.map((region) => {
    const changes: Record<string, number> = {};
    for (const step of summary.steps) {
      const name = step.urn.slice(step.urn.lastIndexOf("::") + 2);
      const owner = names.find((r) => name === r || name.startsWith(`${r}-`));
      if (owner === region && step.op !== "same") changes[step.op] = (changes[step.op] ?? 0) + 1;
    }
    return { region, changes };
  });
}

function formatChanges(changes: Readonly<Record<string, number>>): string {
  const parts = Object.entries(changes).map(([op, n]) => `${op} ${n}`);
  return parts.length === 0 ? "no changes" : parts.join(", ");
}
