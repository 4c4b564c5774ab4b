import { readFileSync, readdirSync } from "node:fs";
import { pidAlive } from "../processAlive";

/**
 * The engine's process tree belongs to the regionctl process that started it. Every engine process
 * (the CLI, the language host, the program, dynamic-provider plugins) inherits OWNER_PID_ENV, so
 * regionctl can find its own on exit, and a later regionctl can find those a killed one left
 * behind (its owner is gone) and stop them. Linux keeps each process's environment readable in
 * /proc/<pid>/environ; elsewhere no process is found and nothing is stopped.
 */
export const OWNER_PID_ENV = "REGIONCTL_OWNER_PID";

export interface EngineProcess {
  readonly pid: number;
  /** The regionctl process that started it. */
  readonly owner: number;
}

/** Every engine process on this machine, with its owner. */
export function engineProcesses(): EngineProcess[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const marker = `${OWNER_PID_ENV}=`;
  const found: EngineProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue; // gone meanwhile, or another user's
    }
    const owner = environ
      .split("\0")
      .find((v) => v.startsWith(marker))
      ?.slice(marker.length);
    if (owner !== undefined && /^\d+$/.test(owner)) found.push({ pid: Number(entry), owner: Number(owner) });
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Kills this process's engine processes at once (exit, or a second Ctrl-C). Synchronous. */
export function killOwnEngineProcesses(): number[] {
  const own = engineProcesses().filter((p) => p.owner === process.pid);
  for (const p of own) signal(p.pid, "SIGKILL");
  return own.map((p) => p.pid);
}

export interface ReapOptions {
  /** How long orphans get to finish gracefully (the CLI saves its state and releases the lock). */
  readonly graceMs?: number;
  readonly note?: (line: string) => void;
}

/**
 * Stops the engine processes whose regionctl is gone: an interrupt first, which lets the CLI finish
 * the resource operations in flight, save the checkpoint and release the stack lock, then, after
 * the grace time, a kill for whatever is left. Returns the pids it stopped.
 */
export async function reapOrphanedEngineProcesses(options: ReapOptions = {}): Promise<number[]> {
  const orphans = engineProcesses().filter((p) => !pidAlive(p.owner));
  if (orphans.length === 0) return [];
  const owners = [...new Set(orphans.map((p) => p.owner))].join(", ");
  options.note?.(
    `stopping ${orphans.length} engine process(es) left by regionctl pid ${owners}, which is gone (${orphans.map((p) => p.pid).join(", ")})`,
  );
  for (const p of orphans) signal(p.pid, "SIGINT");
  const deadline = Date.now() + (options.graceMs ?? 30_000);
  while (Date.now() < deadline && orphans.some((p) => pidAlive(p.pid))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const p of orphans) if (pidAlive(p.pid)) signal(p.pid, "SIGKILL");
  return orphans.map((p) => p.pid);
}
