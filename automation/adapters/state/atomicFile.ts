import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm, unlink } from "node:fs/promises";
import * as path from "node:path";

/**
 * Replaces a file so that readers see the old content or the new, never a torn mix, and the new
 * content survives a crash once this resolves: temp file in the same directory (rename is atomic
 * only within one file system), fsync it, rename over the target, fsync the directory (the rename
 * itself lives in the directory's metadata).
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", 0o644);
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** Deletes a file durably. Missing is fine: the caller wanted it gone. */
export async function unlinkDurable(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return;
  }
  await syncDirectory(path.dirname(file));
}

/** Reads a file as text, or null when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (err) {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
    const code = (err as NodeJS.ErrnoException).code;
    if (process.platform === "win32" && (code === "EISDIR" || code === "EPERM" || code === "EACCES")) return;
    throw err;
  } finally {
    await handle?.close();
  }
}
