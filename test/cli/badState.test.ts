import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type Sandbox, openSandbox } from "./localProgram";

/**
 * The real `regionctl` refuses an operational state document that is not this environment's, or
 * not a document at all, with exit 2, naming the file, the field and the fix, and changes nothing
 * on disk: the document's checksum is the same after, and no lease or engine file appears.
 */

const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
});

const GOOD = {
  schemaVersion: 1,
  environment: "local",
  revision: 3,
  writer: "us-east-1",
  regions: Object.fromEntries(
    ["us-east-1", "us-west-2"].map((r) => [
      r,
      {
        version: "1.0.0",
        activeColor: "blue",
        slots: { blue: { version: "1.0.0", replicas: 3 }, green: null },
        canaryWeight: null,
        drained: false,
        excluded: false,
        releaseStatus: null,
        note: null,
      },
    ]),
  ),
  operation: null,
  history: [],
  replicationQueue: [],
  sync: { "us-west-2": { lastSync: null, status: "idle", lastError: null, nextRunAt: null } },
  incidents: [],
};

const CASES: [string, string, RegExp][] = [
  [
    "another environment's document",
    JSON.stringify({ ...GOOD, environment: "prod" }),
    /environment: .*prod, not local/,
  ],
  ["another stack's document", JSON.stringify({ ...GOOD, stack: "prod" }), /stack: .*use --stack prod/],
  [
    "a region the config lacks",
    JSON.stringify({ ...GOOD, regions: { ...GOOD.regions, "eu-west-1": GOOD.regions["us-east-1"] } }),
    /regions\.eu-west-1: not a region of .*Pulumi\.local\.yaml/,
  ],
  ["a truncated document", JSON.stringify(GOOD).slice(0, 120), /not valid JSON.*perhaps truncated/],
  ["an empty file", "", /the file is empty/],
  ["null", "null", /the document is null/],
  [
    "a newer schema",
    JSON.stringify({ ...GOOD, schemaVersion: 2 }),
    /written by a newer regionctl \(schema 2\).*upgrade/,
  ],
];

const sha = async (file: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

describe.concurrent("regionctl refuses a state document that is not this environment's", () => {
  CASES.forEach(([name, text, message], i) => {
    // resume and abort read the document the same way; one case each keeps the file's cost down.
    const third = i % 2 === 0 ? ["resume"] : ["abort", "--yes"];
    it(`${name}: exit 2 from status, deploy and ${third[0]}; nothing changed`, async () => {
      const s = await openSandbox(inject("pulumiBinDir"));
      sandboxes.push(s);
      await mkdir(path.dirname(s.stateFile), { recursive: true });
      await writeFile(s.stateFile, text);
      const before = await sha(s.stateFile);
      for (const args of [["status"], ["deploy", "--version", "2.0.0"], third]) {
        const r = await s.run(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(s.stateFile);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      expect(await sha(s.stateFile)).toBe(before);
      expect(existsSync(path.join(path.dirname(s.stateFile), "local.lease.json"))).toBe(false);
      expect(existsSync(path.join(path.dirname(s.stateFile), "engine"))).toBe(false);
    });
  });
});
