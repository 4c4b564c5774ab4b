import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import * as path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { leaseForStaleLocks } from "../../automation/adapters/pulumi/leaseForStaleLocks";
import { PulumiStackEngine, type StaleLockLease } from "../../automation/adapters/pulumi/pulumiStackEngine";
import { StackLockedError } from "../../automation/ports";
import { CLOUDFREE_PROGRAM, TEST_PASSPHRASE, withGreen } from "./cloudfreeStack";
import {
  cf,
  cloudResources,
  ENGINE_TEST_MS,
  reconcile,
  slotVersion,
  SLOW_VERSION,
  useEngineStack,
  waitForOperation,
} from "./engineStack";

/**
 * The StackEngine adapter on the real engine while an update runs: a second up gets the locked
 * error, cancellation through the AbortSignal, a signal fired before the call; and stack locks left
 * by others: which are cancelled (a dead holder here; a lock elsewhere that outlived the lease with
 * no live lease holder) and which are never broken.
 */

useEngineStack();

describe("PulumiStackEngine on the real engine", () => {
  describe("while an update is running", () => {
    it(
      "gives the second of two concurrent ups the locked error and loses no state",
      async () => {
        const before = await cf.readState();
        await cf.patchRegions({ "us-west-2": withGreen(before, "us-west-2", SLOW_VERSION) });
        const resourcesBefore = cloudResources(await cf.deployed()).size;

        const first = cf.engine.up({ message: "first" });
        await waitForOperation((o) => o.name === "us-west-2-app-green" && o.props.version === SLOW_VERSION);
        const second = await cf.engine.up({ message: "second" }).then(
          () => null,
          (err: unknown) => err,
        );
        const firstResult = await first;

        expect(second).toBeInstanceOf(StackLockedError);
        expect((second as Error).message).toMatch(
          /^stack test is locked by another update: lock held by .+ \(pid \d+\)/,
        );
        expect(firstResult.changes.create).toBe(1);
        const now = await cf.deployed();
        expect(slotVersion(now, "us-west-2-app-green")).toBe(SLOW_VERSION);
        expect(cloudResources(now).size).toBe(resourcesBefore + 1);
        expect((await cf.engine.history(1))[0]).toMatchObject({ result: "succeeded", message: "first" });
        await cf.engine.preview({ expectNoChanges: true });
        await reconcile(before);
      },
      ENGINE_TEST_MS,
    );

    it(
      "cancels a running up through its AbortSignal and leaves the stack usable",
      async () => {
        const before = await cf.readState();
        // The service switches to green only after the green slot is in place, so a cancel while
        // the slot is being created stops the update between the two.
        await cf.patchRegions({
          "eu-west-1": { ...withGreen(before, "eu-west-1", SLOW_VERSION), activeColor: "green" },
        });
        const controller = new AbortController();
        const reason = new Error("operator cancelled the update");

        const running = cf.engine.up({ signal: controller.signal });
        await waitForOperation((o) => o.name === "eu-west-1-app-green" && o.props.version === SLOW_VERSION);
        controller.abort(reason);
        await expect(running).rejects.toBe(reason);

        const exported = await cf.engine.resources();
        const now = await cf.deployed();
        expect(exported.length).toBeGreaterThan(0);
        // The operation in flight finished and was recorded; the one after it never started.
        expect(slotVersion(now, "eu-west-1-app-green")).toBe(SLOW_VERSION);
        expect(
          (now.get("eu-west-1-service")?.outputs?.props as { selectorColor: string }).selectorColor,
        ).toBe("blue");
        expect((await cf.engine.history(1))[0].result).toBe("failed");

        const lines: string[] = [];
        const resumed = await cf.engine.up({ onProgress: (l) => lines.push(l) });
        expect(resumed.changes.update).toBe(1);
        expect(lines).toEqual(["updated eu-west-1-service (Service)"]);
        await cf.engine.preview({ expectNoChanges: true });
        await reconcile(before);
      },
      ENGINE_TEST_MS,
    );

    it(
      "rejects at once, starting nothing, when the signal has already fired",
      async () => {
        const controller = new AbortController();
        controller.abort(new Error("too late"));
        const opsBefore = (await cf.operations()).length;
        await expect(cf.engine.up({ signal: controller.signal })).rejects.toThrow("too late");
        expect((await cf.operations()).length).toBe(opsBefore);
      },
      ENGINE_TEST_MS,
    );
  });

  describe("a stack lock left by another process", () => {
    async function deadPid(): Promise<number> {
      const child = spawn(process.execPath, ["-e", ""]);
      await new Promise((resolve) => child.once("exit", resolve));
      return child.pid ?? 0;
    }

    async function plantLock(holder: { pid: number; hostname: string }, ageMs = 0): Promise<string> {
      const dir = path.join(
        cf.root,
        "backend",
        ".pulumi",
        "locks",
        "organization",
        "regionctl",
        cf.engine.name,
      );
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${randomUUID()}.json`);
      await writeFile(
        file,
        JSON.stringify({
          ...holder,
          username: "someone",
          timestamp: new Date(Date.now() - ageMs).toISOString(),
        }),
      );
      return file;
    }

    async function engineWithNotes(notes: string[], staleLock?: StaleLockLease): Promise<PulumiStackEngine> {
      return PulumiStackEngine.open({
        stack: cf.engine.name,
        binDir: inject("pulumiBinDir"),
        programDir: CLOUDFREE_PROGRAM,
        workDir: cf.engine.workDir,
        backendUrl: `file://${path.join(cf.root, "backend")}`,
        passphrase: TEST_PASSPHRASE,
        pulumiHome: path.join(cf.root, "pulumi-home"),
        onNote: (line) => notes.push(line),
        staleLock,
      });
    }

    /** The environment's lease as regionctl consults it, run `self`, TTL one minute. */
    const TTL = 60_000;
    const SELF = `me@${hostname()}:${process.pid}`;
    const lease = (): StaleLockLease =>
      leaseForStaleLocks(cf.store, { leaseTtlMs: TTL, self: SELF, now: Date.now });
    const otherHost = async (): Promise<{ pid: number; hostname: string }> => ({
      pid: await deadPid(),
      hostname: `not-${hostname()}`,
    });

    it(
      "cancels a lock whose holder on this machine is dead, says so, and runs the update",
      async () => {
        const pid = await deadPid();
        const lock = await plantLock({ pid, hostname: hostname() });
        const notes: string[] = [];
        const engine = await engineWithNotes(notes);

        await engine.up({ message: "after a crash" });
        expect(existsSync(lock)).toBe(false);
        expect(notes.join("\n")).toMatch(
          new RegExp(`locked by pid ${pid} on ${hostname()}, which no longer runs: cancelling the lock`),
        );
      },
      ENGINE_TEST_MS,
    );

    it(
      "cancels a lock from another machine older than the lease when no one else holds the lease",
      async () => {
        const lock = await plantLock(await otherHost(), 2 * TTL);
        // This run's own lease does not keep the lock: the run takes it before it updates.
        const own = await cf.store.acquireLease(SELF, "deploy-1", TTL);
        try {
          const notes: string[] = [];
          const engine = await engineWithNotes(notes, lease());
          await engine.up({ message: "after a crash elsewhere" });
          expect(existsSync(lock)).toBe(false);
          expect(notes.join("\n")).toMatch(
            new RegExp(
              `locked by pid \\d+ on not-${hostname()}, older than the 60 s lease, with no live lease holder in the state store: cancelling the lock`,
            ),
          );
        } finally {
          await cf.store.releaseLease(own);
        }
      },
      ENGINE_TEST_MS,
    );

    it.each<[string, () => Promise<{ pid: number; hostname: string }>, number, string | null]>([
      ["from another machine, not older than the lease", otherHost, 0, null],
      [
        "from another machine, old, while another run holds a live lease",
        otherHost,
        2 * TTL,
        "ci@runner-7:42",
      ],
      [
        "of a live process on this machine, old, with no lease",
        () => Promise.resolve({ pid: process.pid, hostname: hostname() }),
        2 * TTL,
        null,
      ],
    ])(
      "never breaks a lock %s",
      async (_name, holder, ageMs, leaseHolder) => {
        const lock = await plantLock(await holder(), ageMs);
        const held = leaseHolder === null ? null : await cf.store.acquireLease(leaseHolder, "deploy-2", TTL);
        try {
          const notes: string[] = [];
          const engine = await engineWithNotes(notes, lease());
          await expect(engine.up({ message: "must wait" })).rejects.toBeInstanceOf(StackLockedError);
          expect(existsSync(lock)).toBe(true);
          expect(notes.join("\n")).not.toMatch(/cancelling the lock/);
        } finally {
          await rm(lock, { force: true });
          if (held !== null) await cf.store.releaseLease(held);
        }
      },
      ENGINE_TEST_MS,
    );

    it.each([
      ["a live process on this machine", () => Promise.resolve({ pid: process.pid, hostname: hostname() })],
      ["a process on another machine", async () => ({ pid: await deadPid(), hostname: `not-${hostname()}` })],
    ])(
      "never breaks a lock held by %s",
      async (_name, holder) => {
        const lock = await plantLock(await holder());
        try {
          const notes: string[] = [];
          const engine = await engineWithNotes(notes);
          await expect(engine.up({ message: "must wait" })).rejects.toBeInstanceOf(StackLockedError);
          expect(existsSync(lock)).toBe(true);
          expect(notes.join("\n")).not.toMatch(/cancelling the lock/);
        } finally {
          await rm(lock, { force: true });
        }
      },
      ENGINE_TEST_MS,
    );
  });
});
