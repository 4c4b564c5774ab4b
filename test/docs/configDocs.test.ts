import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DOC, configDoc } from "../../scripts/gen-config-docs";

const ROOT = path.resolve(__dirname, "../..");

function check(file: string): number {
  try {
    execFileSync(
      process.execPath,
      ["bin/run-ts.js", "scripts/gen-config-docs.ts", "--check", "--file", file],
      {
        cwd: ROOT,
        stdio: "pipe",
      },
    );
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

describe("docs/config.md", () => {
  it("is what scripts/gen-config-docs.ts generates from the schema (run npm run docs:config)", () => {
    expect(readFileSync(CONFIG_DOC, "utf8")).toBe(configDoc());
    expect(check(CONFIG_DOC)).toBe(0);
  });

  it("lists every key with its default, limits and meaning", () => {
    const doc = configDoc();
    expect(doc).toContain("| `regionctl:dns.ttl` | integer (≥ 0, ≤ 60) | `60` |");
    expect(doc).toContain(
      '| `regionctl:release.strategy` | `rolling` \\| `blue-green` \\| `canary` | `"canary"` |',
    );
    expect(doc).toContain("| `regionctl:stateStore.kind` |");
    for (const line of doc.split("\n").filter((l) => l.startsWith("| `regionctl:")))
      expect(line.endsWith(" |  |"), `no meaning for ${line}`).toBe(false);
  });

  it("the check fails on a stale copy", () => {
    const stale = path.join(mkdtempSync(path.join(tmpdir(), "regionctl-docs-")), "config.md");
    writeFileSync(stale, configDoc().replace("`60`", "`30`"));
    expect(check(stale)).toBe(1);
  });
});
