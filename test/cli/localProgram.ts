import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { engineProcesses } from "../../automation/adapters/pulumi/engineProcesses";
import { pidAlive } from "../../automation/adapters/processAlive";

/**
 * The real `regionctl` binary driving the cloud-free program on the real engine (`--program`), in
 * a sandbox folder of its own: the stack file, the state, the engine's `file://` backend and the
 * fake cloud all live there. Each command is a child process in its own process group, so a test
 * can kill it, or its whole tree, as a user's `kill -9` would.
 */

export const REPO = path.resolve(__dirname, "../..");
export const CLOUDFREE = path.join(REPO, "test/fixtures/cloudfree");
const BIN = path.join(REPO, "bin/regionctl.js");

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<Finished>;
  /** Resolves when a stderr line matches (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<string>;
  stderr(): string;
}

export interface Sandbox {
  readonly dir: string;
  readonly stackFile: string;
  readonly stateFile: string;
  readonly cloudDir: string;
  readonly backendDir: string;
  start(args: readonly string[]): Running;
  run(args: readonly string[]): Promise<Finished>;
  /** Every `done` resource operation in the fake cloud's log, as `op name props`. */
  doneOperations(): Promise<string[]>;
  /** Stack lock files left in the engine's backend. */
  stackLocks(): Promise<string[]>;
  outage(region: string, on: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export async function openSandbox(
  binDir: string,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(tmpdir(), "regionctl-cli-"));
  const example = parseYaml(await readFile(path.join(CLOUDFREE, "example-stack.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const stackFile = path.join(dir, "Pulumi.local.yaml");
  await writeFile(stackFile, stringifyYaml({ config: { ...example.config, ...overrides } }));
  const cloudDir = path.join(dir, "state", "cloud");
  const backendDir = path.join(dir, "state", "engine", "backend");
  const env = { ...process.env, REGIONCTL_PULUMI_BIN_DIR: binDir, REGIONCTL_HOLDER: "" };

  const start = (args: readonly string[]): Running => {
    const child = spawn(
      process.execPath,
      [BIN, ...args, "--program", CLOUDFREE, "--config", stackFile],
      // A folder of its own as the working directory proves nothing is written where it runs.
      { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    const waiters: { pattern: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      for (const w of [...waiters]) {
        const line = stderr.split("\n").find((l) => w.pattern.test(l));
        if (line !== undefined) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    const done = new Promise<Finished>((resolve) =>
      child.once("close", (code, signal) => {
        for (const w of waiters) w.reject(new Error(`regionctl ended before ${w.pattern}:\n${stderr}`));
        resolve({ code, signal, stdout, stderr });
      }),
    );
    return {
      child,
      done,
      stderr: () => stderr,
      waitFor: (pattern) =>
        new Promise((resolve, reject) => {
          const line = stderr.split("\n").find((l) => pattern.test(l));
          if (line !== undefined) resolve(line);
          else waiters.push({ pattern, resolve, reject });
        }),
    };
  };

  return {
    dir,
    stackFile,
    stateFile: path.join(dir, "state", "local.json"),
    cloudDir,
    backendDir,
    start,
    run: (args) => start(args).done,
    async doneOperations() {
      const text = await readFile(path.join(cloudDir, "operations.jsonl"), "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { op: string; phase: string; name: string; props: unknown })
        .filter((o) => o.phase === "done")
        .map((o) => `${o.op} ${o.name} ${JSON.stringify(o.props)}`);
    },
    async stackLocks() {
      const root = path.join(backendDir, ".pulumi", "locks");
      if (!existsSync(root)) return [];
      return (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".json"));
    },
    async outage(region, on) {
      const file = path.join(cloudDir, "outages", region);
      if (on) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, "");
      } else {
        await rm(file, { force: true });
      }
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** kill -9 of the regionctl process alone, or of its whole process group. */
export function kill9(running: Running, group: boolean): void {
  const pid = running.child.pid;
  if (pid === undefined) throw new Error("regionctl never started");
  process.kill(group ? -pid : pid, "SIGKILL");
}

/** Engine processes of this sandbox whose regionctl is gone: none may remain after a resume. */
export function orphans(sandboxDir: string): number[] {
  return engineProcesses()
    .filter((p) => !pidAlive(p.owner))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, "latin1").includes(sandboxDir);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map((p) => p.pid);
}

/** Operations that ran more than once (the same resource, the same change, finished twice). */
export function repeated(done: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const d of done) seen.set(d, (seen.get(d) ?? 0) + 1);
  // An update or a delete that finished in the provider while the engine was killed is not in the
  // checkpoint, so the engine runs it again on resume (Pulumi runs in-flight operations at least
  // once). The same update with the same inputs, or the delete of what is already gone, once more
  // is harmless; anything else repeated (a second create above all) is not.
  const sameUpdateOnceMore = (d: string, n: number): boolean =>
    n === 2 && (d.startsWith("update ") || d.startsWith("delete "));
  return [...seen].filter(([d, n]) => n > 1 && !sameUpdateOnceMore(d, n)).map(([d, n]) => `${n}x ${d}`);
}
