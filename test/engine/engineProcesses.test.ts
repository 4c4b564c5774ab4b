import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import {
  OWNER_PID_ENV,
  engineProcesses,
  lockHolders,
  lockHoldersDead,
  reapOrphanedEngineProcesses,
} from "../../automation/adapters/pulumi/engineProcesses";
import { pidAlive } from "../../automation/adapters/processAlive";

/**
 * Engine processes are found by the owner they carry; those whose regionctl is gone are stopped,
 * those whose regionctl lives are left alone. Stack-lock holders are read from the CLI's message.
 */

const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (pidAlive(pid)) process.kill(pid, "SIGKILL");
});

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid ?? 0;
}

/** A stand-in engine process (it sleeps) owned by `owner`. */
function engineProcess(owner: number): number {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], {
    env: { ...process.env, [OWNER_PID_ENV]: String(owner) },
    stdio: "ignore",
  });
  const pid = child.pid ?? 0;
  started.push(pid);
  return pid;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe.runIf(process.platform === "linux")("engine processes", () => {
  it("stops the orphans of a dead regionctl and leaves a live one's alone", async () => {
    const owner = await deadPid();
    const orphan = engineProcess(owner);
    const kept = engineProcess(process.pid);
    await until(
      () => engineProcesses().some((p) => p.pid === orphan) && engineProcesses().some((p) => p.pid === kept),
    );
    expect(engineProcesses()).toEqual(
      expect.arrayContaining([
        { pid: orphan, owner },
        { pid: kept, owner: process.pid },
      ]),
    );

    const notes: string[] = [];
    const reaped = await reapOrphanedEngineProcesses({ graceMs: 2000, note: (l) => notes.push(l) });

    expect(reaped).toContain(orphan);
    expect(reaped).not.toContain(kept);
    await until(() => !pidAlive(orphan));
    expect(pidAlive(orphan)).toBe(false);
    expect(pidAlive(kept)).toBe(true);
    expect(notes.join("\n")).toMatch(new RegExp(`left by regionctl pid ${owner}, which is gone`));
  });
});

describe("stack lock holders", () => {
  const message = (host: string, pid: number): string =>
    `stack dev is locked by another update: lock held by root@${host} (pid ${pid}) at 2030-01-01T00:00:00Z`;

  it("reads host and pid from the CLI's message", () => {
    expect(lockHolders(message("vm-1", 8490))).toEqual([{ host: "vm-1", pid: 8490 }]);
    expect(lockHolders("another update holds the stack lock")).toEqual([]);
  });

  it("calls a lock dead only when every holder is a gone process on this machine", async () => {
    const dead = await deadPid();
    expect(lockHoldersDead(lockHolders(message(hostname(), dead)))).toBe(true);
    expect(lockHoldersDead(lockHolders(message(hostname(), process.pid)))).toBe(false);
    expect(lockHoldersDead(lockHolders(message(`not-${hostname()}`, dead)))).toBe(false);
    expect(lockHoldersDead([])).toBe(false);
  });
});
