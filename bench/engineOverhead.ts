import { spawn } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { pinnedPulumiCommand, providePulumiBinDir } from "../automation/adapters/pulumi/pulumiCommand";
import {
  CLOUDFREE_PROGRAM,
  openCloudfreeStack,
  TEST_PASSPHRASE,
  type CloudfreeStack,
} from "../test/engine/cloudfreeStack";
import { childrenCpuSeconds } from "./childCpu";

/**
 * `node bin/run-ts.js bench/engineOverhead.ts [--rounds N] [--only overhead|modes] [--json]`
 *
 * 1. The controller's overhead per stack update: a no-op `up` of the cloud-free program through
 *    PulumiStackEngine against the bare `pulumi up --yes --skip-preview` on the same stack, and the
 *    plain Automation API `Stack.up()` for reference, interleaved round by round so that they share
 *    the machine's noise. The goal is a ratio (adapter / CLI) of at most 1.10.
 * 2. One update (one resource changes) of the same program under each way of running TypeScript.
 *
 * Everything runs in a temporary directory on a `file://` backend; compiled JavaScript goes to
 * `out/bench/` (ignored), inside the repository so that it resolves node_modules.
 */

const REPO = path.resolve(__dirname, "..");
const OUT = path.join(REPO, "out/bench");
const STACK = "bench";

interface Args {
  readonly rounds: number;
  readonly json: boolean;
  /** Run only one of the two measurements. */
  readonly only: "overhead" | "modes" | null;
}

function parseArgs(argv: readonly string[]): Args {
  const i = argv.indexOf("--rounds");
  const rounds = i >= 0 ? Number(argv[i + 1]) : 7;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a positive integer");
  const j = argv.indexOf("--only");
  const only = j >= 0 ? argv[j + 1] : null;
  if (only !== null && only !== "overhead" && only !== "modes")
    throw new Error("--only takes overhead or modes");
  return { rounds, json: argv.includes("--json"), only };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Wall and CPU ms of one run; CPU counts the CLI, its plugins and the program (null off Linux). */
async function timedWithCpu(fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number | null }> {
  const before = childrenCpuSeconds();
  const wallMs = await timed(fn);
  const after = childrenCpuSeconds();
  return { wallMs, cpuMs: before === null || after === null ? null : (after - before) * 1000 };
}

// ---------------------------------------------------------------------------------------------
// Ways of running the program

interface RunMode {
  readonly name: string;
  /** `runtime.options` of the generated Pulumi.yaml. */
  readonly options: Record<string, unknown>;
  /** The program's entry point. */
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
  /** One-off cost before the first update (compiling), in ms. */
  readonly buildMs: number;
}

/** The fixture's own config for ts-node: strict, CommonJS, `noCheck` (transpile-only). */
const FIXTURE_TSCONFIG = path.join(CLOUDFREE_PROGRAM, "tsconfig.pulumi.json");

async function runModes(): Promise<RunMode[]> {
  await mkdir(OUT, { recursive: true });
  const buildConfig = path.join(OUT, "tsconfig.cloudfree-build.json");
  const jsDir = path.join(OUT, "cloudfree-js");
  await writeFile(
    buildConfig,
    JSON.stringify({
      extends: FIXTURE_TSCONFIG,
      // A real build checks types; its output then runs as plain JavaScript.
      compilerOptions: { noCheck: false, outDir: jsDir, rootDir: REPO },
      files: [path.join(CLOUDFREE_PROGRAM, "index.ts")],
    }),
  );
  const buildMs = await timed(() =>
    run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", buildConfig], REPO),
  );
  const fixture = parseYaml(await readFile(path.join(CLOUDFREE_PROGRAM, "Pulumi.yaml"), "utf8")) as {
    runtime: { options: Record<string, unknown> };
  };
  const tsMain = path.join(CLOUDFREE_PROGRAM, "index.ts");
  const tsNode = { typescript: true, tsconfig: FIXTURE_TSCONFIG };
  return [
    {
      name: "ts-node, type-checking (Pulumi's default)",
      options: tsNode,
      main: tsMain,
      // The environment variable wins over the config's noCheck.
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
      buildMs: 0,
    },
    {
      name: "ts-node, transpile-only (the fixture's Pulumi.yaml)",
      options: fixture.runtime.options,
      main: tsMain,
      env: {},
      buildMs: 0,
    },
    {
      name: "precompiled JavaScript (tsc, type-checked)",
      options: { typescript: false },
      main: path.join(jsDir, path.relative(REPO, CLOUDFREE_PROGRAM), "index.js"),
      env: {},
      buildMs,
    },
    {
      name: "tsx (nodeargs: --require tsx/cjs)",
      options: { typescript: false, nodeargs: "--require tsx/cjs" },
      main: tsMain,
      env: {},
      buildMs: 0,
    },
    {
      name: "tsx (nodeargs: --import tsx)",
      options: { typescript: false, nodeargs: "--import tsx" },
      main: tsMain,
      env: {},
      buildMs: 0,
    },
    // Node 22 keeps compiled bytecode on disk when NODE_COMPILE_CACHE names a folder (the CLI turns
    // it on for itself): the TypeScript compiler ts-node loads is large.
    {
      name: "ts-node, transpile-only, NODE_COMPILE_CACHE",
      options: fixture.runtime.options,
      main: tsMain,
      env: { NODE_COMPILE_CACHE: path.join(OUT, "compile-cache") },
      buildMs: 0,
    },
    {
      name: "tsx (--require tsx/cjs), NODE_COMPILE_CACHE",
      options: { typescript: false, nodeargs: "--require tsx/cjs" },
      main: tsMain,
      env: { NODE_COMPILE_CACHE: path.join(OUT, "compile-cache") },
      buildMs: 0,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The bare CLI

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.stderr.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

/** A work dir for one run mode: its own Pulumi.yaml, the stack's config file copied over. */
async function modeWorkDir(cf: CloudfreeStack, mode: RunMode, index: number): Promise<string> {
  const dir = path.join(cf.root, `mode-${index}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "Pulumi.yaml"),
    toYaml({ name: "regionctl", runtime: { name: "nodejs", options: mode.options }, main: mode.main }),
  );
  await copyFile(
    path.join(cf.engine.workDir, `Pulumi.${STACK}.yaml`),
    path.join(dir, `Pulumi.${STACK}.yaml`),
  );
  return dir;
}

function cliUp(
  binDir: string,
  cf: CloudfreeStack,
  workDir: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<void> {
  const env = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(cf.root, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(cf.root, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...extraEnv,
  };
  return run(
    path.join(binDir, "pulumi"),
    ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK],
    workDir,
    env,
  );
}

// ---------------------------------------------------------------------------------------------

interface OverheadFigures {
  readonly cliMs: number[];
  readonly automationMs: number[];
  readonly adapterMs: number[];
}

async function measureOverhead(binDir: string, cf: CloudfreeStack, rounds: number): Promise<OverheadFigures> {
  const workspace = await LocalWorkspace.create({
    workDir: cf.engine.workDir,
    pulumiHome: path.join(cf.root, "pulumi-home"),
    pulumiCommand: await pinnedPulumiCommand(binDir),
    envVars: {
      PULUMI_BACKEND_URL: `file://${path.join(cf.root, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
    },
  });
  const plain = await Stack.select(STACK, workspace);
  const paths: Record<keyof OverheadFigures, () => Promise<unknown>> = {
    cliMs: () => cliUp(binDir, cf, cf.engine.workDir),
    automationMs: () => plain.up(),
    adapterMs: () => cf.engine.up(),
  };
  const figures: OverheadFigures = { cliMs: [], automationMs: [], adapterMs: [] };
  // Warm every path once (transform caches, the OS page cache) before measuring.
  for (const run of Object.values(paths)) await run();
  for (let i = 0; i < rounds; i++) {
    // A fresh order each round, so no path always runs right after the same neighbour.
    for (const key of shuffled(Object.keys(paths) as (keyof OverheadFigures)[], i)) {
      figures[key].push(await timed(paths[key]));
    }
    process.stderr.write(`overhead round ${i + 1}/${rounds}\n`);
  }
  return figures;
}

/** A deterministic shuffle (round-dependent), so reruns measure the same orders. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface ModeFigures {
  readonly mode: RunMode;
  /** Runs with warm transform caches, as every update after the first. */
  readonly warmMs: number[];
  /** CPU of the warm runs (CLI, plugins and program), comparable on a busy machine; null off Linux. */
  readonly warmCpuMs: (number | null)[];
  /** The first run with empty transform caches (a fresh machine, or right after a change). */
  readonly coldMs: number;
}

async function measureModes(binDir: string, cf: CloudfreeStack, rounds: number): Promise<ModeFigures[]> {
  const modes = await runModes();
  const dirs = await Promise.all(modes.map((m, i) => modeWorkDir(cf, m, i)));
  // Each run changes one resource: us-west-2's blue replicas go back and forth.
  let replicas = 3;
  const change = async (): Promise<void> => {
    replicas = replicas === 3 ? 4 : 3;
    const state = await cf.readState();
    const blue = state.regions["us-west-2"].slots.blue;
    await cf.patchRegions({
      "us-west-2": { slots: { blue: { version: blue?.version ?? "1.0.0", replicas }, green: null } },
    });
  };
  // ts-node and tsx keep their transform caches under the temporary directory: a fresh one is a
  // cold start. The same fresh directory then stays in use, so later runs are warm.
  const coldMs: number[] = [];
  const tmp = await Promise.all(
    modes.map((_, i) =>
      mkdir(path.join(cf.root, `tmp-${i}`), { recursive: true }).then(() => path.join(cf.root, `tmp-${i}`)),
    ),
  );
  for (const [i, mode] of modes.entries()) {
    await change();
    coldMs.push(await timed(() => cliUp(binDir, cf, dirs[i], { ...mode.env, TMPDIR: tmp[i] })));
  }
  const warmMs: number[][] = modes.map(() => []);
  const warmCpuMs: (number | null)[][] = modes.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const i of shuffled([...modes.keys()], round)) {
      await change();
      const run = await timedWithCpu(() => cliUp(binDir, cf, dirs[i], { ...modes[i].env, TMPDIR: tmp[i] }));
      warmMs[i].push(run.wallMs);
      warmCpuMs[i].push(run.cpuMs);
    }
    process.stderr.write(`run-mode round ${round + 1}/${rounds}\n`);
  }
  return modes.map((mode, i) => ({ mode, warmMs: warmMs[i], warmCpuMs: warmCpuMs[i], coldMs: coldMs[i] }));
}

function overheadReport(o: OverheadFigures): Record<string, unknown> {
  const ratios = (xs: number[]): number => median(xs.map((x, i) => x / o.cliMs[i]));
  return {
    cliMedianMs: Math.round(median(o.cliMs)),
    automationApiMedianMs: Math.round(median(o.automationMs)),
    adapterMedianMs: Math.round(median(o.adapterMs)),
    // Each round's ratio to the CLI run of the same round, then the median: robust to load drift.
    automationApiRatio: Number(ratios(o.automationMs).toFixed(3)),
    adapterRatio: Number(ratios(o.adapterMs).toFixed(3)),
    goal: 1.1,
    samples: o,
  };
}

function printOverhead(r: Record<string, unknown>, rounds: number): void {
  const n = (k: string): number => r[k] as number;
  console.log(`## Stack update overhead (no-op up of the cloud-free program, ${rounds} rounds)\n`);
  console.log("| path | median s | ratio to bare CLI (median of per-round ratios) |");
  console.log("| --- | --- | --- |");
  console.log(`| bare \`pulumi up --yes --skip-preview\` | ${seconds(n("cliMedianMs"))} | 1.00 |`);
  console.log(
    `| Automation API \`Stack.up()\` | ${seconds(n("automationApiMedianMs"))} | ${n("automationApiRatio").toFixed(2)} |`,
  );
  console.log(
    `| PulumiStackEngine.up() | ${seconds(n("adapterMedianMs"))} | ${n("adapterRatio").toFixed(2)} (goal <= 1.10) |`,
  );
}

function medianCpu(xs: readonly (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === xs.length && known.length > 0 ? median(known) : null;
}

function printModes(modes: readonly ModeFigures[], rounds: number): void {
  console.log(
    `\n## One update per TypeScript run mode (bare CLI, one resource changes, ${rounds} warm rounds)\n`,
  );
  console.log(
    "| run mode | warm median s | warm fastest s | warm median CPU s | cold (empty caches) s | one-off build s |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const m of modes) {
    const cpu = medianCpu(m.warmCpuMs);
    console.log(
      `| ${m.mode.name} | ${seconds(median(m.warmMs))} | ${seconds(Math.min(...m.warmMs))} | ${cpu === null ? "-" : seconds(cpu)} | ${seconds(m.coldMs)} | ${m.mode.buildMs > 0 ? seconds(m.mode.buildMs) : "-"} |`,
    );
  }
}

export async function runEngineOverheadBench(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv);
  const binDir = await providePulumiBinDir(REPO);
  const cf = await openCloudfreeStack({ binDir, stack: STACK, regions: 3 });
  try {
    await cf.engine.up();
    const overhead =
      args.only === "modes" ? null : overheadReport(await measureOverhead(binDir, cf, args.rounds));
    const modes = args.only === "overhead" ? null : await measureModes(binDir, cf, args.rounds);
    if (args.json) {
      const runModes = modes?.map((m) => ({
        mode: m.mode.name,
        warmMedianMs: Math.round(median(m.warmMs)),
        warmMinMs: Math.round(Math.min(...m.warmMs)),
        warmMedianCpuMs: medianCpu(m.warmCpuMs),
        coldMs: Math.round(m.coldMs),
        buildMs: Math.round(m.mode.buildMs),
        samples: m.warmMs.map(Math.round),
      }));
      console.log(JSON.stringify({ rounds: args.rounds, overhead, runModes }, null, 2));
      return;
    }
    if (overhead !== null) printOverhead(overhead, args.rounds);
    if (modes !== null) printModes(modes, args.rounds);
  } finally {
    await cf.dispose();
  }
}

// bin/run-ts.js puts the entry point in argv[1]; imported (e.g. from bench/index.ts), nothing runs.
if (path.resolve(process.argv[1] ?? "") === __filename) {
  runEngineOverheadBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
