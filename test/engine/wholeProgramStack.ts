import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { type EnvironmentConfig, parseConfig, rawConfigFromStackConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { installStandinPlugins } from "./standinPlugins";

/**
 * The repository's real program (index.ts, components/) as a `dev` stack on the real engine, with
 * the stand-in provider plugin in place of aws, kubernetes and random. Everything lives in a
 * temporary directory: a `file://` backend, its own PULUMI_HOME, the project and stack files (the
 * shipped Pulumi.dev.yaml with the operational state kept in the temporary directory) and the state
 * document. The project's `main` is the repository, so the program and its node_modules are the
 * ones a user runs.
 */

const repo = path.resolve(__dirname, "../..");
export const POLICY_PACK = path.join(repo, "policy");
export const STACK = "dev";
const PASSPHRASE = "regionctl-whole-program-test";

export type StackConfigMap = Record<string, unknown>;

export interface CliResult {
  readonly code: number | null;
  readonly output: string;
  readonly stdout: string;
}

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly diffReasons?: string[];
  readonly replaceReasons?: string[];
}

export interface DeployedResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly id?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

export interface WholeProgramStack {
  readonly root: string;
  readonly work: string;
  readonly config: EnvironmentConfig;
  /** The operational state document (the file store's). */
  readonly stateFile: string;
  /** Runs the Pulumi CLI in the project directory. */
  pulumi(...args: string[]): Promise<CliResult>;
  /** Like pulumi(), failing with the CLI's output on a non-zero exit. */
  pulumiOk(...args: string[]): Promise<CliResult>;
  /** Runs `regionctl <args>` from the project directory, as a user would. */
  regionctl(...args: string[]): Promise<CliResult>;
  /** Writes the operational state document the program and `regionctl validate` read. */
  writeState(state: OperationalState): Promise<void>;
  removeState(): Promise<void>;
  /** The steps `pulumi preview` plans, by resource name (the URN's last part). */
  previewSteps(): Promise<Map<string, PreviewStep>>;
  /** The stack's exported resources, by resource name, secrets in plain text. */
  deployed(): Promise<Map<string, DeployedResource>>;
  dispose(): Promise<void>;
}

export interface WholeProgramStackOptions {
  readonly binDir: string;
  readonly standinDir: string;
  /** Edits the shipped dev stack's `config:` map before the stack is created. */
  readonly editConfig?: (config: StackConfigMap) => void;
}

export async function openWholeProgramStack(options: WholeProgramStackOptions): Promise<WholeProgramStack> {
  const root = await mkdtemp(path.join(tmpdir(), "regionctl-whole-program-"));
  const dirs = {
    backend: path.join(root, "backend"),
    home: path.join(root, "pulumi-home"),
    work: path.join(root, "work"),
    state: path.join(root, "state"),
  };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  await installStandinPlugins(dirs.home, options.standinDir);

  // The shipped project file, with its entry point made absolute: the stack runs from another folder.
  const project = parse(readFileSync(path.join(repo, "Pulumi.yaml"), "utf8")) as { main?: string };
  const main = path.join(repo, project.main ?? ".");
  await writeFile(path.join(dirs.work, "Pulumi.yaml"), stringify({ ...project, main }));

  // The salt belongs to the shipped file's passphrase; `stack init` writes one for ours.
  const stackDoc = parse(readFileSync(path.join(repo, `Pulumi.${STACK}.yaml`), "utf8")) as {
    config: StackConfigMap;
    encryptionsalt?: string;
  };
  delete stackDoc.encryptionsalt;
  // Absolute: the program resolves a relative directory from its own directory (the repository
  // here), `regionctl` from the stack file's.
  stackDoc.config["regionctl:stateStore"] = { kind: "file", directory: dirs.state };
  options.editConfig?.(stackDoc.config);
  await writeFile(path.join(dirs.work, `Pulumi.${STACK}.yaml`), stringify(stackDoc));
  const config = parseConfig(rawConfigFromStackConfig(stackDoc.config));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${options.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${dirs.backend}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_HOME: dirs.home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const run = (cmd: string, args: string[]): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: dirs.work, env });
      let output = "";
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, output, stdout }));
    });
  const pulumi = (...args: string[]): Promise<CliResult> =>
    run("pulumi", [...args, "--non-interactive", "--color", "never"]);
  const pulumiOk = async (...args: string[]): Promise<CliResult> => {
    const res = await pulumi(...args);
    if (res.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${String(res.code)}:\n${res.output}`);
    return res;
  };
  const stateFile = path.join(dirs.state, `${STACK}.json`);
  const byName = <T extends { urn: string }>(items: readonly T[]): Map<string, T> =>
    new Map(items.map((i) => [i.urn.slice(i.urn.lastIndexOf("::") + 2), i]));

  await pulumiOk("stack", "init", STACK);

  return {
    root,
    work: dirs.work,
    config,
    stateFile,
    pulumi,
    pulumiOk,
    regionctl: (...args) => run(process.execPath, [path.join(repo, "bin/regionctl.js"), ...args]),
    async writeState(state) {
      await writeFile(stateFile, JSON.stringify({ ...state, stack: STACK }, null, 2));
    },
    async removeState() {
      await rm(stateFile, { force: true });
    },
    async previewSteps() {
      const res = await pulumiOk("preview", "--json");
      return byName((JSON.parse(res.stdout) as { steps?: PreviewStep[] }).steps ?? []);
    },
    async deployed() {
      const res = await pulumiOk("stack", "export", "--show-secrets");
      const doc = JSON.parse(res.stdout) as { deployment: { resources?: DeployedResource[] } };
      return byName(doc.deployment.resources ?? []);
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
