import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Sandbox, openSandbox } from "./localProgram";

/**
 * Several real `regionctl` processes on one environment at once, on the real engine: one runs,
 * the others are refused with exit 1 naming the holder, and nothing is lost; `abort` from a second
 * process stops the running one, which rolls back.
 */

const SLOW = "9.9.9";
const TEST_MS = 180_000;
let s: Sandbox;

interface Doc {
  readonly writer: string;
  readonly operation: unknown;
  readonly regions: Record<string, { version: string }>;
  readonly history: { id: string; phase: string; reason: string | null }[];
}

const stored = async (): Promise<Doc> => JSON.parse(await readFile(s.stateFile, "utf8")) as Doc;
const versions = (d: Doc): string[] => Object.values(d.regions).map((r) => r.version);

beforeAll(async () => {
  s = await openSandbox(inject("pulumiBinDir"), {
    "cloudfree:slowVersion": SLOW,
    "cloudfree:slotDelayMs": 3000,
  });
  // The first command provisions the local stack; the races below start from a provisioned one.
  const status = await s.run(["status"]);
  expect(status.code, status.stderr).toBe(0);
}, TEST_MS);

afterAll(async () => {
  await s?.dispose();
});

describe("concurrent regionctl processes on one environment", () => {
  it(
    "two deploys started together: one runs, the other exits 1 naming the holder",
    async () => {
      const [a, b] = await Promise.all([
        s.run(["deploy", "--version", "2.0.0"]),
        s.run(["deploy", "--version", "2.0.0"]),
      ]);
      const codes = [a.code, b.code].sort();
      expect(codes, `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 1]);
      const loser = a.code === 1 ? a : b;
      expect(loser.stderr).toMatch(/held by \S+@\S+:\d+/);
      const doc = await stored();
      expect(doc.operation).toBeNull();
      expect(versions(doc)).toEqual(["2.0.0", "2.0.0"]);
    },
    TEST_MS,
  );

  it(
    "abort from a second process: the running deploy stops and rolls back; both say so",
    async () => {
      const deploy = s.start(["deploy", "--version", SLOW]);
      await deploy.waitFor(/wave-1\/update: start/);
      const abort = await s.run(["abort", "--yes"]);
      const deployed = await deploy.done;

      expect(abort.code, abort.stderr).toBe(0);
      expect(abort.stderr).toMatch(/asked \S+ .* to stop and roll back/);
      expect(abort.stdout).toMatch(/abort: operation \S+ (aborted|rolledback)/);
      expect(deployed.code).toBe(1);
      expect(deployed.stderr).toMatch(/abort requested by \S+: stopping here and rolling back/);
      const doc = await stored();
      expect(doc.operation).toBeNull();
      expect(versions(doc)).toEqual(["2.0.0", "2.0.0"]);
      expect(doc.history.at(-1)?.reason).toMatch(/^aborted by /);
    },
    TEST_MS,
  );

  it(
    "a deploy while a failover runs exits 1 naming the failover's holder; the failover completes",
    async () => {
      await s.outage("us-east-1", true);
      const failover = s.start(["failover", "--rounds", "1", "--yes"]);
      await failover.waitFor(/failover\/move: start/);
      const deploy = await s.run(["deploy", "--version", "3.0.0"]);
      const failed = await failover.done;
      await s.outage("us-east-1", false);

      expect(deploy.code).toBe(1);
      expect(deploy.stderr).toMatch(/failover-\S+ held by \S+@\S+:\d+/);
      expect(failed.code, failed.stderr).toBe(0);
      const doc = await stored();
      expect(doc.writer).toBe("us-west-2");
      expect(versions(doc)).toEqual(["2.0.0", "2.0.0"]);
    },
    TEST_MS,
  );
});
