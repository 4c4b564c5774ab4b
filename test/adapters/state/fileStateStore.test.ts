import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { FileStateStore } from "../../../automation/adapters/state/fileStateStore";
import { LockTimeoutError } from "../../../automation/adapters/state/fileLock";
import { sampleState } from "./sampleState";
import { stateStoreContract } from "./stateStoreContract";

const run = promisify(execFile);
const roots: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "regionctl-state-"));
  roots.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })));
});

stateStoreContract("FileStateStore", {
  newPlace: tempDir,
  open: (dir, now) => new FileStateStore({ directory: dir, stack: "dev", now }),
  putRawDocument: (dir, text) => writeFile(path.join(dir, "dev.json"), text),
});

describe("FileStateStore on disk", () => {
  it("keeps <dir>/<stack>.json, its lease beside it, and no temp or lock files between calls", async () => {
    const dir = await tempDir();
    const store = new FileStateStore({ directory: dir, stack: "dev" });
    const etag = await store.write(sampleState("x"), null);
    const lease = await store.acquireLease("me", "deploy", 60_000);
    await store.write(sampleState("y"), etag);
    await expect(store.write(sampleState("z"), etag)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["dev.json", "dev.lease.json"]);
    expect(store.location).toBe(path.join(dir, "dev.json"));
    const text = await readFile(path.join(dir, "dev.json"), "utf8");
    expect(JSON.parse(text)).toEqual(sampleState("y"));
    expect((await store.read())?.etag).toBe(createHash("sha256").update(text).digest("hex"));
    const leaseText = await readFile(path.join(dir, "dev.lease.json"), "utf8");
    expect(JSON.parse(leaseText)).toMatchObject({
      holder: "me",
      operation: "deploy",
      expiresAt: lease.expiresAt,
    });
    await store.releaseLease(lease);
    expect(await readdir(dir)).toEqual(["dev.json"]);
  });

  it("defaults to .regionctl under the working directory and refuses stack names that are paths", () => {
    expect(new FileStateStore({ stack: "prod" }).location).toBe(path.resolve(".regionctl", "prod.json"));
    expect(() => new FileStateStore({ stack: "../prod" })).toThrow(/stack name "\.\.\/prod"/);
  });

  it("sees an etag change when someone edits the file by hand", async () => {
    const dir = await tempDir();
    const store = new FileStateStore({ directory: dir, stack: "dev" });
    const etag = await store.write(sampleState("x"), null);
    const file = path.join(dir, "dev.json");
    await writeFile(file, (await readFile(file, "utf8")).replace('"revision": 0', '"revision": 7'));
    await expect(store.write(sampleState("y"), etag)).rejects.toThrow(/changed by someone else/);
    expect((await store.read())?.state.revision).toBe(7);
  });

  describe("between processes", () => {
    const racer = path.join(__dirname, "fixtures", "fileRacer.ts");
    const repoRoot = path.resolve(__dirname, "../../..");

    async function race(dir: string, mode: "write" | "lease", etag: string, n: number) {
      const go = path.join(dir, "go");
      const children = Array.from({ length: n }, (_, i) =>
        run(process.execPath, ["--import", "tsx", racer, dir, mode, String(i), etag, go], { cwd: repoRoot }),
      );
      // Release them together once all have loaded, so the writes really overlap.
      const deadline = Date.now() + 60_000;
      while (Array.from({ length: n }, (_, i) => existsSync(`${go}.${i}.ready`)).includes(false)) {
        if (Date.now() > deadline) throw new Error("racers did not start");
        await new Promise((r) => setTimeout(r, 20));
      }
      await writeFile(go, "");
      const outputs = await Promise.all(children);
      return outputs.map(
        (o) => JSON.parse(o.stdout.trim()) as { id: string; outcome: string; holder?: string },
      );
    }

    it("lets exactly one of several processes writing with the same etag win", async () => {
      const dir = await tempDir();
      const store = new FileStateStore({ directory: dir, stack: "dev" });
      const etag = await store.write(sampleState("base"), null);
      const results = await race(dir, "write", etag, 4);
      const winners = results.filter((r) => r.outcome === "won");
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "conflict")).toHaveLength(3);
      expect((await store.read())?.state.regions["us-west-2"].note).toBe(`writer ${winners[0].id}`);
    });

    it("gives the lease to exactly one of several processes; the others are told who holds it", async () => {
      const dir = await tempDir();
      const results = await race(dir, "lease", "-", 4);
      const winners = results.filter((r) => r.outcome === "won");
      expect(winners).toHaveLength(1);
      for (const r of results.filter((x) => x.outcome !== "won")) {
        expect(r).toMatchObject({ outcome: "held", holder: `holder ${winners[0].id}` });
      }
    });
  });

  describe("lock file", () => {
    async function lockedStore(owner: unknown, ageMs = 0) {
      const dir = await tempDir();
      const store = new FileStateStore({
        directory: dir,
        stack: "dev",
        lock: { timeoutMs: 400, staleMs: 30_000 },
      });
      const lockFile = path.join(dir, "dev.lock");
      await writeFile(lockFile, owner === null ? "" : JSON.stringify(owner));
      if (ageMs > 0) {
        const past = new Date(Date.now() - ageMs);
        await utimes(lockFile, past, past);
      }
      return { store, lockFile };
    }

    it("breaks a lock whose process on this host has exited", async () => {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const { store, lockFile } = await lockedStore({
        token: "t",
        pid: dead,
        host: hostname(),
        at: Date.now(),
      });
      await store.write(sampleState("after crash"), null);
      expect(existsSync(lockFile)).toBe(false);
      expect((await store.read())?.state.regions["us-west-2"].note).toBe("after crash");
    });

    it("breaks a lock older than staleMs from another host, and an old empty one", async () => {
      const other = await lockedStore({ token: "t", pid: 1, host: "elsewhere", at: Date.now() - 60_000 });
      await other.store.write(sampleState(), null);
      const empty = await lockedStore(null, 60_000);
      await empty.store.write(sampleState(), null);
      expect(existsSync(other.lockFile) || existsSync(empty.lockFile)).toBe(false);
    });

    it("never shows a lock file without its owner, and leaves no temp file behind", async () => {
      const dir = await tempDir();
      const lockFile = path.join(dir, "dev.lock");
      // A thread of its own reads the lock file in a tight loop while the stores race for it, so
      // the window between a lock's creation and its owner's write, were there one, is seen.
      const watcher = new Worker(
        `const { readFileSync, existsSync } = require("node:fs");
         const { parentPort, workerData } = require("node:worker_threads");
         const texts = new Set();
         let reads = 0;
         parentPort.on("message", () => parentPort.postMessage({ reads, texts: [...texts] }));
         const spin = () => {
           for (let i = 0; i < 2000; i++) {
             try { texts.add(readFileSync(workerData, "utf8")); reads++; } catch {}
           }
           setImmediate(spin);
         };
         spin();`,
        { eval: true, workerData: lockFile },
      );
      const stores = [0, 1, 2].map(() => new FileStateStore({ directory: dir, stack: "dev" }));
      let etag: string | null = null;
      for (let i = 0; i < 100; i++) {
        // Three stores race for the lock on every round; only the first write of a round can win.
        const results = await Promise.allSettled(stores.map((s) => s.write(sampleState(`r${i}`), etag)));
        etag = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<string>).value;
      }
      const seen = await new Promise<{ reads: number; texts: string[] }>((resolve) => {
        watcher.once("message", resolve);
        watcher.postMessage("report");
      });
      await watcher.terminate();
      expect(seen.reads).toBeGreaterThan(0);
      for (const text of seen.texts)
        expect(JSON.parse(text)).toMatchObject({ pid: process.pid, host: hostname() });
      expect((await readdir(dir)).sort()).toEqual(["dev.json"]);
    });

    it("waits for a live lock, then gives up naming the lock file and its holder", async () => {
      const { store, lockFile } = await lockedStore({
        token: "t",
        pid: process.pid,
        host: hostname(),
        at: Date.now(),
      });
      const started = Date.now();
      const write = store.write(sampleState(), null);
      await expect(write).rejects.toBeInstanceOf(LockTimeoutError);
      await expect(write).rejects.toThrow(`${lockFile}, held by pid ${process.pid} on ${hostname()}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(await store.read()).toBeNull();
      expect(existsSync(lockFile)).toBe(true);
    });

    it("waits for a live lock that is released, then proceeds", async () => {
      const { store, lockFile } = await lockedStore({
        token: "t",
        pid: process.pid,
        host: hostname(),
        at: Date.now(),
      });
      setTimeout(() => void rm(lockFile), 150);
      await store.write(sampleState("waited"), null);
      expect((await store.read())?.state.regions["us-west-2"].note).toBe("waited");
    });
  });
});
