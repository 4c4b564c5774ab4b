import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import {
  OWNER_PID_ENV,
  engineProcesses,
  reapOrphanedEngineProcesses,
} from "../../automation/adapters/pulumi/engineProcesses";
import { pidAlive } from "../../automation/adapters/processAlive";

/**
 * Engine processes are found by the owner they carry; those whose regionctl is gone are stopped,
 * those whose regionctl lives are left alone.
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
