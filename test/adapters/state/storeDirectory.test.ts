import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDirectoryProblems } from "../../../automation/adapters/state/storeDirectory";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "regionctl-storedir-"));
  await writeFile(path.join(root, "a-file"), "x");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("storeDirectoryProblems", () => {
  it.each([
    ["an existing folder", () => root, null],
    ["a folder still to create", () => path.join(root, "new/deeper"), null],
    ["a file", () => path.join(root, "a-file"), /is a file, not a folder/],
    ["a path under a file", () => path.join(root, "a-file/sub"), /lies under .*a-file, a file/],
    ["a path under /proc", () => "/proc/self/regionctl", /under \/proc, a kernel filesystem/],
    ["a path under /sys", () => "/sys/regionctl", /under \/sys, a kernel filesystem/],
  ])("%s", (_name, dir, problem) => {
    const started = Date.now();
    const problems = storeDirectoryProblems(dir(), "stateStore.directory");
    expect(Date.now() - started).toBeLessThan(1000);
    if (problem === null) {
      expect(problems).toEqual([]);
    } else {
      expect(problems).toHaveLength(1);
      expect(problems[0].path).toBe("stateStore.directory");
      expect(problems[0].message).toMatch(problem);
    }
  });
});
