import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const { useCompiled } = createRequire(__filename)("../../bin/compiledOrSources.js") as {
  useCompiled: (root: string) => boolean;
};

/** A checkout: files with their modification times in seconds since the epoch. */
function checkout(files: Readonly<Record<string, number>>): string {
  const root = mkdtempSync(path.join(tmpdir(), "regionctl-checkout-"));
  for (const [file, seconds] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, "");
    utimesSync(full, seconds, seconds);
  }
  // Folders get the oldest time, so only the files decide.
  const age = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) age(path.join(dir, entry.name));
    }
    utimesSync(dir, 1, 1);
  };
  age(root);
  return root;
}

const SOURCES = { "automation/cli.ts": 100, "automation/commands/drill.ts": 100, "index.ts": 100 };

describe("the CLI and the program run compiled only when dist/ is current", () => {
  afterEach(() => {
    delete process.env.REGIONCTL_SOURCES;
  });

  it.each([
    ["an installed package (no CLI sources)", { "dist/.build-stamp": 50, "index.ts": 100 }, true],
    ["a clone never built", SOURCES, false],
    ["a clone built after its last edit", { ...SOURCES, "dist/.build-stamp": 200 }, true],
    [
      "a clone edited after its build",
      { ...SOURCES, "automation/commands/drill.ts": 300, "dist/.build-stamp": 200 },
      false,
    ],
    [
      "a clone whose program changed after the build",
      { ...SOURCES, "index.ts": 300, "dist/.build-stamp": 200 },
      false,
    ],
  ])("%s", (_name, files, compiled) => {
    expect(useCompiled(checkout(files))).toBe(compiled);
  });

  it("REGIONCTL_SOURCES=1 makes a current clone run its sources", () => {
    const root = checkout({ ...SOURCES, "dist/.build-stamp": 200 });
    process.env.REGIONCTL_SOURCES = "1";
    expect(useCompiled(root)).toBe(false);
  });
});
