import { hostname } from "node:os";

/** True unless the pid is certainly gone (ESRCH); a process we may not signal still lives. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * True only for a process provably gone: it ran on this machine and its pid no longer exists.
 * Another machine's process, or one whose pid is alive, is never presumed dead.
 */
export function deadOnThisHost(host: string, pid: number, thisHost = hostname()): boolean {
  return host === thisHost && !pidAlive(pid);
}
