import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { ConfigError, type ConfigIssue } from "../../components/config";
import { StateSchemaError } from "../../components/operationalState";
import { policies } from "../../policy/allPolicies";
import type { PolicyPackConfig, PolicyViolation } from "../../policy/offline/evaluate";
import { type OfflineValidation, validateOffline } from "../../policy/offline/offlineValidation";
import { checkPolicyConfig } from "../../policy/offline/policyConfig";
import { ProgramRunError } from "../../policy/offline/recordInChild";
import { type CliIo, writeJson } from "../cliIo";
import { type LoadedEnvironment, loadEnvironment } from "../context";
import { packageRoot } from "../packageRoot";
import { EXIT_FAILED, EXIT_OK, EXIT_POLICY, EXIT_USAGE, UsageError } from "../errors";
import { type EnvironmentFlags, environmentOptions, flagProblems, humanWriter } from "./operationCli";

interface ValidateFlags extends EnvironmentFlags {
  readonly state?: string;
  readonly policyConfig?: string;
}

/** The regionctl repository: the Pulumi program validate runs (index.ts beside Pulumi.yaml). */
const PROGRAM_DIR = packageRoot();

/**
 * `regionctl validate`: checks a stack's config (every problem at once), then runs the real
 * program under mocks for it and evaluates the policy pack over the resources it registers.
 * Exit 0 when nothing mandatory is violated, 2 for a config problem, 4 for a mandatory violation.
 */
export function registerValidate(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("validate")
      .description(
        "validate a stack's config and check the policy pack against the resources the program would create",
      )
      .option(
        "--state <file>",
        "evaluate with this operational state document instead of the configured store's",
      )
      .option(
        "--policy-config <file>",
        "per-policy enforcement and settings (the JSON of `pulumi preview --policy-pack-config`)",
      ),
  ).action(async (flags: ValidateFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    if (flags.stack !== undefined && flags.config !== undefined) {
      problems.push("pass either --stack or --config, not both");
    }
    const policyConfig = readPolicyConfig(flags.policyConfig, problems);
    let env: LoadedEnvironment | undefined;
    let configIssues: readonly ConfigIssue[] = [];
    try {
      env = await loadEnvironment({ stack: flags.stack, configFile: flags.config });
    } catch (err) {
      if (err instanceof ConfigError) configIssues = err.issues;
      else if (err instanceof UsageError) problems.push(err.message, ...err.problems);
      else throw err;
    }
    if (problems.length > 0) {
      throw new UsageError(`${problems.length} problem(s); nothing was validated:`, problems);
    }
    const configFile = env?.configFile ?? path.resolve(flags.config ?? `Pulumi.${flags.stack ?? ""}.yaml`);
    if (env === undefined) {
      report(io, flags, { configFile, configIssues });
      return;
    }

    const human = humanWriter(io, flags.json);
    human(
      `validate ${env.stack} (${path.relative(process.cwd(), env.configFile) || env.configFile}): config ok; running the program under mocks`,
    );
    let result: OfflineValidation;
    try {
      result = await validateOffline({
        programDir: PROGRAM_DIR,
        stackFile: env.configFile,
        stack: env.stack,
        stateBaseDir: env.projectDir,
        statePath: flags.state === undefined ? undefined : path.resolve(flags.state),
        policyConfig,
      });
    } catch (err) {
      if (err instanceof StateSchemaError) throw new UsageError(err.message);
      if (err instanceof ProgramRunError) {
        io.err(`error: ${err.message}`);
        if (flags.json === true)
          writeJson(
            io,
            { command: "validate", outcome: "program-failed", exitCode: EXIT_FAILED },
            { error: err.message },
          );
        io.exitCode = EXIT_FAILED;
        return;
      }
      throw err;
    }
    if (result.kind === "config") {
      report(io, flags, { configFile, configIssues: result.issues, stack: result.stack });
      return;
    }
    report(io, flags, { configFile, configIssues: [], stack: result.stack, evaluated: result });
  });
}

function readPolicyConfig(file: string | undefined, problems: string[]): PolicyPackConfig | undefined {
  if (file === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    problems.push(`--policy-config ${file}: ${(err as Error).message}`);
    return undefined;
  }
  const checked = checkPolicyConfig(raw, policies);
  if (!checked.ok) {
    problems.push(...checked.problems.map((p) => `--policy-config ${file}: ${p}`));
    return undefined;
  }
  return checked.config;
}

interface Outcome {
  readonly configFile: string;
  readonly configIssues: readonly ConfigIssue[];
  readonly stack?: string;
  readonly evaluated?: Extract<OfflineValidation, { kind: "evaluated" }>;
}

function report(io: CliIo, flags: ValidateFlags, o: Outcome): void {
  const human = humanWriter(io, flags.json);
  const violations = o.evaluated?.evaluation.violations ?? [];
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  const advisory = violations.filter((v) => v.enforcementLevel === "advisory");
  const exitCode = o.configIssues.length > 0 ? EXIT_USAGE : mandatory.length > 0 ? EXIT_POLICY : EXIT_OK;

  if (o.configIssues.length > 0) {
    human(`invalid config in ${o.configFile} (${o.configIssues.length} problem(s)):`);
    for (const issue of o.configIssues) human(`  ${issue.path}: ${issue.message}`);
  }
  if (o.evaluated !== undefined) {
    const { graph, evaluation, notes } = o.evaluated;
    for (const note of notes) human(`note: ${note}`);
    human(`${evaluation.policies.length} policies over ${graph.resources.length} resources`);
    for (const v of [...mandatory, ...advisory]) human(`  ${describe(v)}`);
    human(
      mandatory.length > 0
        ? `validate: ${mandatory.length} mandatory and ${advisory.length} advisory violation(s): pulumi up would be blocked`
        : `validate: ok (${advisory.length} advisory violation(s))`,
    );
  }
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        {
          command: "validate",
          stack: o.stack ?? null,
          configFile: o.configFile,
          outcome: o.configIssues.length > 0 ? "invalid-config" : mandatory.length > 0 ? "violations" : "ok",
          exitCode,
          configIssues: o.configIssues,
          stateSource: o.evaluated?.stateSource ?? null,
          resources: o.evaluated?.graph.resources.length ?? 0,
          policies: o.evaluated?.evaluation.policies ?? [],
          violations: violations.map((v) => ({ ...v, resource: v.resource ?? null })),
          notes: o.evaluated?.notes ?? [],
        },
        null,
        2,
      ),
    );
  }
  io.exitCode = exitCode;
}

function describe(v: PolicyViolation): string {
  const where = v.resource === undefined ? "stack" : `${v.resource.type} ${v.resource.name}`;
  return `${v.enforcementLevel === "mandatory" ? "MANDATORY" : "advisory "} ${v.policy} — ${where}: ${v.message}`;
}
