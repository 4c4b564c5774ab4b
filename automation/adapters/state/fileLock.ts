import { randomBytes, randomUUID } from "node:crypto";
import { link, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { hostname } from "node:os";

/**
 * A cross-process mutex on a local file system: whoever creates the lock file owns it. The owner is
 * written to a temp file first and hard-linked to the lock's name, which fails when that name exists,
 * so the lock appears with its owner already in it: no kill can leave a lock without one. It guards
 * read-compare-write sequences that take milliseconds, so a lock older than `staleMs`, or one whose
 * process on this host is gone, was left by a crash and is broken.
 */

export interface FileLockOptions {
  /** Milliseconds to wait for a live lock before giving up. Default 10000. */
  readonly timeoutMs?: number;
  /** Age in milliseconds past which a lock counts as abandoned. Default 30000. */
  readonly staleMs?: number;
}

interface LockOwner {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly at: number;
}

interface LockSighting {
  readonly owner: LockOwner | null;
  readonly ino: number;
  readonly mtimeMs: number;
}

export class LockTimeoutError extends Error {
  constructor(lockFile: string, owner: LockOwner | null, waitedMs: number) {
    const who =
      owner === null
        ? "an unknown process"
        : `pid ${owner.pid} on ${owner.host} since ${new Date(owner.at).toISOString()}`;
    super(
      `timed out after ${waitedMs} ms waiting for lock ${lockFile}, held by ${who}; ` +
        "if no regionctl process is running there, delete that file",
    );
    this.name = "LockTimeoutError";
  }
}

export async function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const token = await acquire(lockFile, options.timeoutMs ?? 10_000, options.staleMs ?? 30_000);
  try {
    return await fn();
  } finally {
    await release(lockFile, token);
  }
}

async function acquire(lockFile: string, timeoutMs: number, staleMs: number): Promise<string> {
  const started = Date.now();
  let delayMs = 2;
  for (;;) {
    const owner: LockOwner = { token: randomUUID(), pid: process.pid, host: hostname(), at: Date.now() };
    if (await create(lockFile, owner)) return owner.token;
    const seen = await sight(lockFile);
    if (seen === null) continue;
    if (isAbandoned(seen, staleMs)) {
      await breakAbandoned(lockFile, seen);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(lockFile, seen.owner, waited);
    await new Promise((r) => setTimeout(r, delayMs + Math.random() * delayMs));
    delayMs = Math.min(delayMs * 2, 50);
  }
}

/** Error codes of file systems that cannot hard-link (some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

/** Creates the lock file holding `owner`; false when it already exists. */
async function create(lockFile: string, owner: LockOwner): Promise<boolean> {
  const text = JSON.stringify(owner);
  const tmp = path.join(path.dirname(lockFile), `.${path.basename(lockFile)}.${owner.token}.tmp`);
  await writeFile(tmp, text, { flag: "wx", mode: 0o644 });
  try {
    await link(tmp, lockFile);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") return false;
    if (NO_HARD_LINKS.has(code)) return createInPlace(lockFile, text);
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Where hard links are refused: O_EXCL, then the owner; a kill in between leaves it ownerless. */
async function createInPlace(lockFile: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    await handle.writeFile(text, "utf8");
  } finally {
    await handle.close();
  }
  return true;
}

async function release(lockFile: string, token: string): Promise<void> {
  // Only our own lock: had we been judged abandoned, the file now belongs to someone else.
  const seen = await sight(lockFile);
  if (seen?.owner?.token === token) await rm(lockFile, { force: true });
}

async function sight(file: string): Promise<LockSighting | null> {
  try {
    const info = await stat(file);
    const text = await readFile(file, "utf8");
    return { owner: parseOwner(text), ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/**
 * Empty or torn content: never made by `create` with hard links; the creator, on a file system
 * without them, has not written it yet or died doing so.
 */
function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof o.token === "string" &&
      typeof o.pid === "number" &&
      typeof o.host === "string" &&
      typeof o.at === "number"
    ) {
      return o as LockOwner;
    }
  } catch {
    // fall through
  }
  return null;
}

/** A live in-place creator writes its owner right after creating the file; an ownerless file older than this was left by a kill in between. */
const OWNERLESS_GRACE_MS = 1_000;

function isAbandoned(seen: LockSighting, staleMs: number): boolean {
  if (seen.owner === null && Date.now() - seen.mtimeMs > OWNERLESS_GRACE_MS) return true;
  if (seen.owner !== null && seen.owner.host === hostname() && !processAlive(seen.owner.pid)) return true;
  return Date.now() - (seen.owner?.at ?? seen.mtimeMs) > staleMs;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves the abandoned lock aside rather than deleting it: rename keeps the inode, so we can check
 * that what we moved is the lock we judged, and not a fresh one another process created after a
 * competing breaker removed the old one. A fresh one moved by mistake is linked back in place.
 */
async function breakAbandoned(lockFile: string, seen: LockSighting): Promise<void> {
  const aside = `${lockFile}.abandoned-${randomBytes(6).toString("hex")}`;
  try {
    await rename(lockFile, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await sight(aside);
  const same = moved !== null && moved.ino === seen.ino && moved.owner?.token === seen.owner?.token;
  if (!same) {
    try {
      await link(aside, lockFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  await rm(aside, { force: true });
}
