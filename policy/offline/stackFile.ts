import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A stack settings file (`Pulumi.<stack>.yaml`) as written, before any secret is decrypted. */
export interface StackFile {
  readonly path: string;
  /** `dev` for `Pulumi.dev.yaml`; the base name for any other file. */
  readonly stack: string;
  /** The `config:` map, values as YAML gives them (`{ secure: ... }` for encrypted ones). */
  readonly config: Readonly<Record<string, unknown>>;
}

export class StackFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
    this.name = "StackFileError";
  }
}

export function readStackFile(file: string): StackFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new StackFileError(file, [`cannot read: ${(e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new StackFileError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackFileError(file, ["has no config: map"]);
  }
  const base = path.basename(file);
  const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1] ?? base.replace(/\.ya?ml$/, "");
  return { path: file, stack, config: config as Record<string, unknown> };
}

/** What encrypted values stand for offline: the program only needs a string there. */
export const SECRET_PLACEHOLDER = "offline-placeholder-for-an-encrypted-value";

/**
 * The config as the engine hands it to a program: every value a string (objects and lists as
 * JSON), encrypted values (`{ secure: ... }`, at any depth) replaced by a placeholder and their
 * top-level key marked secret, as the engine marks a key holding a decrypted secret.
 */
export function engineConfig(config: Readonly<Record<string, unknown>>): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    let secret = false;
    const plain = replaceSecure(value, () => {
      secret = true;
    });
    out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secret) secretKeys.push(key);
  }
  return { config: out, secretKeys };
}

function replaceSecure(value: unknown, found: () => void): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceSecure(v, found));
  if (typeof value !== "object" || value === null) return value;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length === 1 && typeof o.secure === "string") {
    found();
    return SECRET_PLACEHOLDER;
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, replaceSecure(v, found)]));
}
