import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileStateStore } from "../../../automation/adapters/state/fileStateStore";
import {
  type StateIdentity,
  identityProblems,
  withStateIdentity,
} from "../../../automation/adapters/state/stateIdentity";
import { UsageError } from "../../../automation/errors";
import { sampleState } from "./sampleState";

const ID: StateIdentity = {
  environment: "dev",
  stack: "dev",
  regions: ["us-east-1", "us-west-2", "eu-west-1"],
  configFile: "Pulumi.dev.yaml",
};

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })));
});

describe("identityProblems", () => {
  const state = sampleState();
  it.each([
    ["the environment's own document", state, []],
    ["one stamped with this stack", { ...state, stack: "dev" }, []],
    [
      "another environment's",
      { ...state, environment: "prod" },
      [/^environment: the document belongs to environment prod, not dev .*point stateStore/],
    ],
    ["another stack's", { ...state, stack: "prod" }, [/^stack: .* stack prod, not dev; use --stack prod/]],
    [
      "one with a region the config lacks",
      { ...state, regions: { ...state.regions, "ap-south-1": state.regions["us-west-2"] } },
      [
        /^regions\.ap-south-1: not a region of Pulumi\.dev\.yaml \(us-east-1, us-west-2, eu-west-1\); add it back/,
      ],
    ],
    [
      "one whose writer the config lacks",
      { ...state, writer: "sa-east-1" },
      [/^writer: sa-east-1 is not a region of Pulumi\.dev\.yaml/],
    ],
  ])("%s", (_name, doc, expected) => {
    const problems = identityProblems(doc, ID);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(problems[i]).toMatch(re));
  });
});

describe("withStateIdentity over the file store", () => {
  async function place(): Promise<{ dir: string; file: string; store: FileStateStore }> {
    const dir = await mkdtemp(path.join(tmpdir(), "regionctl-identity-"));
    roots.push(dir);
    return {
      dir,
      file: path.join(dir, "dev.json"),
      store: new FileStateStore({ directory: dir, stack: "dev" }),
    };
  }
  const sha = async (file: string): Promise<string> =>
    createHash("sha256")
      .update(await readFile(file))
      .digest("hex");

  it("stamps the stack into every document it writes", async () => {
    const { store } = await place();
    const checked = withStateIdentity(store, ID);
    await checked.write(sampleState(), null);
    expect((await store.read())?.state.stack).toBe("dev");
  });

  it.each([
    [
      "another environment's document",
      JSON.stringify({ ...sampleState(), environment: "prod" }),
      /environment:/,
    ],
    ["an empty file", "", /file is empty/],
    ["null", "null", /document is null/],
    [
      "a newer schema",
      JSON.stringify({ ...sampleState(), schemaVersion: 2 }),
      /newer regionctl \(schema 2\)/,
    ],
  ])("refuses %s as a usage error naming the file, and takes no lease", async (_name, text, message) => {
    const { dir, file, store } = await place();
    await writeFile(file, text);
    const before = await sha(file);
    const checked = withStateIdentity(store, ID);
    // One at a time: a second call started before the first is awaited would reject unobserved.
    for (const attempt of [() => checked.read(), () => checked.acquireLease("me", "deploy", 60_000)]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain(file);
      expect((err as UsageError).problems.join("\n")).toMatch(message);
    }
    expect(await sha(file)).toBe(before);
    expect(existsSync(path.join(dir, "dev.lease.json"))).toBe(false);
  });
});

describe("withStateIdentity and fenced writes", () => {
  it("keeps a store's fenced write, stamping the stack, and adds none to a store without one", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "regionctl-fenced-"));
    roots.push(dir);
    const inner = new FileStateStore({ directory: dir, stack: "dev" });
    expect(withStateIdentity(inner, ID).writeFenced).toBeUndefined();
    const seen: { stack: string | undefined; term: string }[] = [];
    const fencing = Object.assign(Object.create(inner) as FileStateStore, {
      writeFenced: async (
        state: ReturnType<typeof sampleState>,
        _etag: string | null,
        term: { etag: string },
      ) => {
        seen.push({ stack: state.stack, term: term.etag });
        return "v2";
      },
    });
    const wrapped = withStateIdentity(fencing, ID);
    const term = { holder: "a", operation: "lead", expiresAt: 1, etag: "t1" };
    expect(await wrapped.writeFenced?.(sampleState(), null, term)).toBe("v2");
    expect(seen).toEqual([{ stack: "dev", term: "t1" }]);
  });
});
