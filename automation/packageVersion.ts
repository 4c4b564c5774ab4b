import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * regionctl's version, from the package.json above this file: one level up from a clone's
 * `automation/`, two from the compiled `dist/automation/`.
 */
export function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "regionctl" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not here: look one folder up.
    }
  }
  return "unknown";
}
