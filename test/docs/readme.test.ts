import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SKIP = new Set(["package-lock.json"]);
const TEXT = /\.(ts|js|mjs|md|ya?ml|json|sh|go|txt)$/;

/** The project's files as git sees them: tracked, or new and not ignored (build and bench folders are). */
function projectFiles(): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f !== "" && TEXT.test(f) && !SKIP.has(path.basename(f)) && existsSync(path.join(ROOT, f)))
    .map((f) => path.join(ROOT, f));
}

/** Words that point at material users do not have; the project speaks of itself. Built so this file does not match. */
const JARGON = [
  ["DESIGN", ".md"],
  ["STYLE", ".md"],
  ["four-class", " guide"],
  ["the seed", "'s"],
  ["the seed", " regionctl"],
  ["/wo", "rk/"],
].map(([a, b]) => `${a}${b}`);

function jargonIn(text: string): string[] {
  return JARGON.filter((w) => text.toLowerCase().includes(w.toLowerCase()));
}

describe("README and docs", () => {
  it("README stays short and shows a report screenshot that exists", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    const image = /!\[[^\]]*\]\((docs\/img\/[^)]+\.png)\)/.exec(readme)?.[1];
    expect(image).toBeDefined();
    const png = readFileSync(path.join(ROOT, image ?? ""));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeLessThan(300 * 1024);
  });

  it("README says once how to run regionctl from a clone, and names its docs", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").filter((l) => l.includes("npx regionctl"))).toHaveLength(1);
    for (const page of ["architecture", "config", "runbook", "engine", "testing", "benchmarks", "real-aws"])
      expect(readme).toContain(`docs/${page}.md`);
  });

  it("no file speaks of material outside the project", () => {
    const found = projectFiles()
      .map((f) => ({ file: path.relative(ROOT, f), words: jargonIn(readFileSync(f, "utf8")) }))
      .filter((x) => x.words.length > 0 && x.file !== path.relative(ROOT, __filename));
    expect(found).toEqual([]);
  });

  it("the jargon check fires on a sentence that has it", () => {
    expect(jargonIn("as the seed's getActiveRegions does (see DESIGN.md)")).toEqual([
      "DESIGN.md",
      "the seed's",
    ]);
  });
});
