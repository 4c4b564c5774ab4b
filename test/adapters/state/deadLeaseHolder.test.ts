import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStateStore } from "../../../automation/adapters/state/fileStateStore";
import { leaseHolderDead } from "../../../automation/adapters/state/leaseDocument";
import { LeaseHeldError } from "../../../automation/ports";

/**
 * A lease held by a regionctl that was killed on this machine is taken over at once, not after its
 * expiry; a holder that may still run (alive, on another machine, or named otherwise) keeps it.
 */

let dead: number;
const roots: string[] = [];

beforeAll(async () => {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  dead = child.pid ?? 0;
});
afterAll(async () => {
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })));
});

describe("leaseHolderDead", () => {
  it.each([
    ["a dead pid on this machine", () => `ci@${hostname()}:${dead}`, true],
    ["a live pid on this machine", () => `ci@${hostname()}:${process.pid}`, false],
    ["a dead pid on another machine", () => `ci@not-${hostname()}:${dead}`, false],
    ["a holder named otherwise (REGIONCTL_HOLDER)", () => "pipeline-4711", false],
  ])("%s", (_name, holder, expected) => {
    expect(leaseHolderDead(holder())).toBe(expected);
  });
});

describe("FileStateStore and a dead holder's lease", () => {
  async function store(): Promise<FileStateStore> {
    const dir = await mkdtemp(path.join(tmpdir(), "regionctl-lease-"));
    roots.push(dir);
    return new FileStateStore({ directory: dir, stack: "dev" });
  }

  it("takes over at once a live lease whose holder died on this machine", async () => {
    const s = await store();
    await s.acquireLease(`ci@${hostname()}:${dead}`, "deploy-1", 3_600_000);
    const lease = await s.acquireLease("me@elsewhere:1", "resume", 60_000);
    expect(lease.holder).toBe("me@elsewhere:1");
  });

  it.each([
    ["alive on this machine", () => `ci@${hostname()}:${process.pid}`],
    ["on another machine", () => `ci@not-${hostname()}:${dead}`],
  ])("refuses while the holder may run: %s", async (_name, holder) => {
    const s = await store();
    await s.acquireLease(holder(), "deploy-1", 3_600_000);
    await expect(s.acquireLease("me@elsewhere:1", "resume", 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
  });
});
