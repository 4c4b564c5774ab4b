import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { childrenCpuSeconds } from "./childCpu";

/**
 * `npm run bench:cli [-- --rounds N] [--compiled] [--json]`: what starting regionctl costs, as ratios to a bare
 * `node -e 0` measured in the same run, interleaved round by round so that every case shares the
 * machine's noise. Goals: `regionctl --help` at most 5x, one drill (`drill --scenario`) at most 10x,
 * in wall time and in CPU time (user + system, read from the kernel's account of child processes).
 * Both ways regionctl runs are measured: the compiled CLI (dist/, built first), which an installed
 * package and a built clone run, and the TypeScript sources through tsx, which a clone runs between
 * an edit and the next build.
 */

const REPO = path.resolve(__dirname, "..");
const BIN = path.join(REPO, "bin", "regionctl.js");
const DRILL = path.join(REPO, "drills", "primary-outage-auto-failover.yaml");

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** Goal: the most this case may cost, as a multiple of `node -e 0`; null for the baseline. */
  readonly goal: number | null;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The CLI's sources on ts-node (transpile-only, the compiler cached as the CLI caches its own), the
 * runtime the Pulumi program used before: the other candidate for one TypeScript runtime. ts-node is
 * not a dependency of regionctl; the Pulumi SDK carries a copy.
 */
function tsNodeEntry(): string {
  const dir = path.join(REPO, "out", "bench");
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, "cli-on-ts-node.js");
  const register = {
    transpileOnly: true,
    compiler: "typescript",
    skipProject: true,
    compilerOptions: {
      module: "commonjs",
      moduleResolution: "node",
      target: "es2022",
      esModuleInterop: true,
    },
  };
  writeFileSync(
    entry,
    [
      `require("node:module").enableCompileCache?.();`,
      `require(${JSON.stringify(require.resolve("@pulumi/pulumi/vendor/ts-node@7.0.1"))}).register(${JSON.stringify(register)});`,
      `require(${JSON.stringify(path.join(REPO, "automation", "cli.ts"))})`,
      `  .main(process.argv)`,
      `  .then((code) => { process.exitCode = code; });`,
      "",
    ].join("\n"),
  );
  return entry;
}

/** Forces bin/regionctl.js onto the TypeScript sources even when the compiled CLI is current. */
const SOURCES = { REGIONCTL_SOURCES: "1" };

const TS_NODE = tsNodeEntry();

const CASES: readonly Case[] = [
  { name: "node -e 0", args: ["-e", "0"], goal: null },
  { name: "regionctl --help", args: [BIN, "--help"], goal: 5 },
  { name: "regionctl drill --scenario", args: [BIN, "drill", "--scenario", DRILL], goal: 10 },
  { name: "from sources (tsx): --help", args: [BIN, "--help"], goal: 5, env: SOURCES },
  {
    name: "from sources (tsx): drill --scenario",
    args: [BIN, "drill", "--scenario", DRILL],
    goal: 10,
    env: SOURCES,
  },
  { name: "reference, sources on ts-node: --help", args: [TS_NODE, "--help"], goal: null },
  {
    name: "reference, sources on ts-node: drill --scenario",
    args: [TS_NODE, "drill", "--scenario", DRILL],
    goal: null,
  },
];

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number | null;
}

function runOnce(c: Case): Sample {
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, {
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...c.env },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuAfter = childrenCpuSeconds();
  if (r.status !== 0) {
    throw new Error(`${c.name} exited ${String(r.status)}: ${r.stderr.toString().slice(0, 2000)}`);
  }
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) * 1000;
  return { wallMs, cpuMs };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export interface CaseFigures {
  readonly name: string;
  readonly wallMs: number;
  /** Mean CPU per run: the kernel counts children in 10 ms ticks, so a median would round to 0. */
  readonly cpuMs: number | null;
  readonly wallRatio: number;
  readonly cpuRatio: number | null;
  readonly goal: number | null;
  readonly met: boolean | null;
}

function measure(rounds: number, cases: readonly Case[]): CaseFigures[] {
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  // One warm-up round fills the file cache and tsx's transform cache.
  for (const c of cases) runOnce(c);
  for (let i = 0; i < rounds; i++) {
    for (const c of cases) samples.get(c.name)?.push(runOnce(c));
  }
  const figures = (c: Case): { wallMs: number; cpuMs: number | null } => {
    const s = samples.get(c.name) ?? [];
    const cpu = s.map((x) => x.cpuMs);
    return {
      wallMs: median(s.map((x) => x.wallMs)),
      cpuMs: cpu.some((x) => x === null) ? null : cpu.reduce<number>((a, x) => a + (x ?? 0), 0) / s.length,
    };
  };
  const base = figures(cases[0]);
  return cases.map((c) => {
    const f = figures(c);
    const wallRatio = f.wallMs / base.wallMs;
    const cpuRatio =
      f.cpuMs === null || base.cpuMs === null || base.cpuMs === 0 ? null : f.cpuMs / base.cpuMs;
    const met = c.goal === null ? null : wallRatio <= c.goal && (cpuRatio === null || cpuRatio <= c.goal);
    return { name: c.name, ...f, wallRatio, cpuRatio, goal: c.goal, met };
  });
}

function main(argv: readonly string[]): number {
  const i = argv.indexOf("--rounds");
  const rounds = i >= 0 ? Number(argv[i + 1]) : 10;
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`--rounds must be a whole number of at least 1, got ${argv[i + 1]}`);
    return 2;
  }
  // The compiled CLI, as an installed package runs it and as a clone does after a build
  // (incremental: seconds when dist/ is current).
  const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: "inherit" });
  if (build.status !== 0) return 1;
  // `--compiled`: only the baseline and the compiled CLI (seconds instead of a minute).
  const cases = argv.includes("--compiled")
    ? CASES.filter((c) => c.env === undefined && !c.args.includes(TS_NODE))
    : CASES;
  const results = measure(rounds, cases);
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ node: process.version, rounds, results }, null, 2));
  } else {
    const fmt = (n: number | null, digits: number): string => (n === null ? "-" : n.toFixed(digits));
    console.log(`## CLI start-up (Node ${process.version}, median wall and mean CPU of ${rounds} runs)\n`);
    console.log("| case | wall ms | CPU ms | wall ratio | CPU ratio | goal |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const r of results) {
      const goal =
        r.goal !== null
          ? `<= ${r.goal}x: ${r.met === true ? "met" : "NOT met"}`
          : r.name === CASES[0].name
            ? "baseline"
            : "reference";
      console.log(
        `| ${r.name} | ${fmt(r.wallMs, 0)} | ${fmt(r.cpuMs, 0)} | ${fmt(r.wallRatio, 1)}x | ${fmt(r.cpuRatio, 1)}x | ${goal} |`,
      );
    }
  }
  return results.every((r) => r.met !== false) ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
