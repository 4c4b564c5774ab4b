import { readFile, readdir, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";

/**
 * A `file://` backend keeps beside each object (checkpoint, backup, history entry, `meta.yaml`) a
 * metadata sidecar `<object>.attrs`, written in place rather than by rename. A kill during that
 * write leaves it empty, and the engine then refuses the stack ("failed to load checkpoint: EOF")
 * although the object itself is intact; a missing sidecar is fine (gocloud.dev's fileblob reads
 * none as defaults). So a zero-length sidecar whose object parses is removed; a non-empty one, or
 * one whose object is damaged too, is never touched.
 */

/** The backend's folder for a `file://` URL (query dropped, `~` expanded); null for any other backend. */
export function fileBackendDirectory(url: string | undefined): string | null {
  if (url?.startsWith("file://") !== true) return null;
  const rest = decodeURIComponent(url.slice("file://".length).replace(/\?.*$/, ""));
  if (rest === "~" || rest.startsWith("~/")) return path.join(homedir(), rest.slice(1));
  return path.resolve(rest);
}

/** Removes the empty sidecars of intact objects under `<backendDir>/.pulumi`; returns the files removed. */
export async function removeEmptySidecars(
  backendDir: string,
  note: (line: string) => void = () => undefined,
): Promise<string[]> {
  const root = path.join(backendDir, ".pulumi");
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const removed: string[] = [];
  for (const entry of entries.filter((e) => e.endsWith(".attrs"))) {
    const sidecar = path.join(root, entry);
    const object = sidecar.slice(0, -".attrs".length);
    if ((await sizeOf(sidecar)) !== 0 || !(await intact(object))) continue;
    await unlink(sidecar);
    removed.push(sidecar);
    note(
      `removed the empty metadata file ${sidecar}, left by a kill during its write; ${path.basename(object)} beside it is intact`,
    );
  }
  return removed;
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

/** The object exists and parses as what its name says (JSON, gzipped JSON or YAML). */
async function intact(object: string): Promise<boolean> {
  try {
    const bytes = await readFile(object);
    if (object.endsWith(".gz")) {
      JSON.parse(gunzipSync(bytes).toString("utf8"));
    } else if (object.endsWith(".yaml")) {
      parseYaml(bytes.toString("utf8"));
    } else {
      JSON.parse(bytes.toString("utf8"));
    }
    return bytes.length > 0;
  } catch {
    return false;
  }
}
