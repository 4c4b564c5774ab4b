import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type Sandbox, kill9, openSandbox, orphans, repeated } from "./localProgram";

/**
 * The crash matrix: the real `regionctl` process on the real engine (the cloud-free program) is
 * killed with SIGKILL, alone or with its whole process group, at a step boundary or in the middle
 * of a step, for every kind of operation; then `regionctl resume` must carry the operation
 * forward to success, no resource change may have finished twice, no engine process may outlive
 * its regionctl, and the stack must be left unlocked. Kept in a file of its own so its cost shows.
 */

const SLOW = "9.9.9";
const CASE_MS = 150_000;
const sandboxes: Sandbox[] = [];

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
});

async function sandbox(): Promise<Sandbox> {
  const s = await openSandbox(inject("pulumiBinDir"), {
    "cloudfree:slowVersion": SLOW,
    "cloudfree:slotDelayMs": 3000,
  });
  sandboxes.push(s);
  return s;
}

interface StoredDocument {
  readonly writer: string;
  readonly operation: unknown;
  readonly regions: Record<string, { version: string }>;
}

interface Case {
  readonly name: string;
  readonly command: readonly string[];
  /** A progress line: the kill comes as soon as it is printed. */
  readonly killAt: RegExp;
  readonly group: boolean;
  /** Before the command (an outage for a failover). */
  readonly prepare?: (s: Sandbox) => Promise<void>;
  /** What must hold in the stored state afterwards. */
  readonly check: (state: StoredDocument) => void;
}

const allOn = (version: string) => (state: StoredDocument) => {
  for (const r of Object.values(state.regions)) expect(r.version).toBe(version);
};

const CASES: readonly Case[] = [
  {
    name: "rolling, mid-step (an app slot updating), regionctl alone",
    command: ["deploy", "--version", SLOW, "--strategy", "rolling"],
    killAt: /wave-1\/update: start/,
    group: false,
    check: allOn(SLOW),
  },
  {
    name: "rolling, at a step boundary, whole process group",
    command: ["deploy", "--version", SLOW, "--strategy", "rolling"],
    killAt: /wave-1\/update: ok/,
    group: true,
    check: allOn(SLOW),
  },
  {
    name: "blue-green, mid-step (green slot staging), whole process group",
    command: ["deploy", "--version", SLOW, "--strategy", "blue-green"],
    killAt: /\/update: start/,
    group: true,
    check: allOn(SLOW),
  },
  {
    name: "canary, mid-step (canary slot updating), regionctl alone",
    command: ["deploy", "--version", SLOW, "--strategy", "canary"],
    killAt: /canary-\d+\/update: start/,
    group: false,
    check: allOn(SLOW),
  },
  {
    name: "failover, mid-step (traffic and database moving), regionctl alone",
    command: ["failover", "--rounds", "1", "--yes"],
    killAt: /failover\/traffic: updated/,
    group: false,
    prepare: (s) => s.outage("us-east-1", true),
    check: (state) => expect(state.writer).toBe("us-west-2"),
  },
  {
    name: "switchover, mid-step, whole process group",
    command: ["switchover", "--to", "us-west-2"],
    killAt: /switchover\/[a-z-]+: start/,
    group: true,
    check: (state) => expect(state.writer).toBe("us-west-2"),
  },
];

describe.concurrent("kill -9, then resume, on the real engine", () => {
  for (const c of CASES) {
    it(
      c.name,
      async () => {
        const s = await sandbox();
        await c.prepare?.(s);
        const first = s.start(c.command);
        await first.waitFor(c.killAt);
        kill9(first, c.group);
        const killed = await first.done;
        expect(killed.signal).toBe("SIGKILL");

        const resumed = await s.run(["resume"]);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stdout).toMatch(/resume: operation \S+ succeeded/);

        const state = JSON.parse(await readFile(s.stateFile, "utf8")) as StoredDocument;
        expect(state.operation).toBeNull();
        c.check(state);
        expect(repeated(await s.doneOperations())).toEqual([]);
        expect(await s.stackLocks()).toEqual([]);
        expect(orphans(s.dir)).toEqual([]);
      },
      CASE_MS,
    );
  }
});
