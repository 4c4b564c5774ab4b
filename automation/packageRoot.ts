import { readFileSync } from "node:fs";
import * as path from "node:path";

interface PackageJson {
  readonly name?: unknown;
  readonly version?: unknown;
}

let found: { readonly dir: string; readonly version: string } | undefined;

/**
 * The regionctl package this code runs from: a clone (sources one level below it) or an installed
 * package (compiled code in `dist/`, two levels below). Found by its package.json, not by a fixed
 * number of `..`, so both layouts find the shipped drills, the program and the version.
 */
function locate(): { readonly dir: string; readonly version: string } {
  if (found !== undefined) return found;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
      if (pkg.name === "regionctl" && typeof pkg.version === "string") {
        return (found = { dir, version: pkg.version });
      }
    } catch {
      // No package.json here: look one folder up.
    }
    if (path.dirname(dir) === dir) throw new Error(`regionctl's package.json not found above ${__dirname}`);
  }
}

/** The folder holding regionctl's package.json, Pulumi.yaml, the program and drills/. */
export function packageRoot(): string {
  return locate().dir;
}

export function packageVersion(): string {
  return locate().version;
}
