import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SKIP = new Set([
  "node_modules",
  ".git",
  ".tools",
  "out",
  "coverage",
  ".regionctl",
  "package-lock.json",
]);
const TEXT = /\.(ts|js|mjs|md|ya?ml|json|sh|go|txt)$/;

function projectFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return projectFiles(full);
    return TEXT.test(name) ? [full] : [];
  });
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
