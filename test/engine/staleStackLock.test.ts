import { describe, expect, it } from "vitest";
import {
  type StaleLockInput,
  judgeStackLock,
  parseStackLocks,
} from "../../automation/adapters/pulumi/staleStackLock";

/** When a stack lock may be cancelled: table tests of the pure judgement, no engine. */

const HERE = "vm-here";
const NOW = Date.parse("2030-01-01T00:10:00Z");
const TTL = 60_000;
const LIVE_PID = 100;
const DEAD_PID = 200;
const ago = (ms: number): number => NOW - ms;

function judge(over: Partial<StaleLockInput>): ReturnType<typeof judgeStackLock> {
  return judgeStackLock({
    locks: [],
    now: NOW,
    thisHost: HERE,
    pidAlive: (pid) => pid === LIVE_PID,
    leaseTtlMs: TTL,
    otherLeaseHolder: null,
    ...over,
  });
}

describe("parseStackLocks", () => {
  it("reads host, pid and time of every lock in the CLI's message", () => {
    const detail =
      "lock held by root@vm-1 (pid 8490) at 2030-01-01T00:00:00Z; ci@runner-7 (pid 12) at 2030-01-01T00:05:00+01:00";
    expect(parseStackLocks(detail)).toEqual([
      { host: "vm-1", pid: 8490, since: Date.parse("2030-01-01T00:00:00Z") },
      { host: "runner-7", pid: 12, since: Date.parse("2030-01-01T00:05:00+01:00") },
    ]);
  });

  it("gives no time when the line has none or it does not parse, and no lock for other text", () => {
    expect(parseStackLocks("root@vm-1 (pid 1)")).toEqual([{ host: "vm-1", pid: 1, since: null }]);
    expect(parseStackLocks("root@vm-1 (pid 1) at yesterday")).toEqual([
      { host: "vm-1", pid: 1, since: null },
    ]);
    expect(parseStackLocks("another update holds the stack lock")).toEqual([]);
  });
});

describe("judgeStackLock", () => {
  const here = (pid: number, since = ago(5_000)) => ({ host: HERE, pid, since });
  const elsewhere = (since: number | null) => ({ host: "vm-other", pid: LIVE_PID, since });

  it.each<[string, boolean, Partial<StaleLockInput>]>([
    ["no holder named", false, { locks: [] }],
    ["a dead process on this machine", true, { locks: [here(DEAD_PID)] }],
    [
      "a dead process here, even with a live lease elsewhere",
      true,
      { locks: [here(DEAD_PID)], otherLeaseHolder: "ci" },
    ],
    ["a live process on this machine, however old", false, { locks: [here(LIVE_PID, ago(3_600_000))] }],
    [
      "a live process here beside an old lock elsewhere",
      false,
      { locks: [here(LIVE_PID), elsewhere(ago(2 * TTL))] },
    ],
    ["another machine, older than the lease, no live lease", true, { locks: [elsewhere(ago(TTL + 1))] }],
    [
      "a dead process here and an old lock elsewhere",
      true,
      { locks: [here(DEAD_PID), elsewhere(ago(2 * TTL))] },
    ],
    ["another machine, not older than the lease", false, { locks: [elsewhere(ago(TTL))] }],
    [
      "another machine, old, but a live lease holder",
      false,
      { locks: [elsewhere(ago(2 * TTL))], otherLeaseHolder: "ci@runner:7" },
    ],
    ["another machine, old, with no time on the lock", false, { locks: [elsewhere(null)] }],
    [
      "another machine, old, and no lease consulted",
      false,
      { locks: [elsewhere(ago(2 * TTL))], otherLeaseHolder: undefined },
    ],
    [
      "another machine, old, and no lease TTL given",
      false,
      { locks: [elsewhere(ago(2 * TTL))], leaseTtlMs: undefined },
    ],
    [
      "one old and one fresh lock elsewhere",
      false,
      { locks: [elsewhere(ago(2 * TTL)), elsewhere(ago(1_000))] },
    ],
  ])("%s: cancel %s", (_name, cancel, input) => {
    expect(judge(input).cancel).toBe(cancel);
  });

  it("says why, naming the lease holder that keeps a lock", () => {
    expect(judge({ locks: [elsewhere(ago(2 * TTL))], otherLeaseHolder: "ci@runner:7" }).why).toBe(
      "ci@runner:7 holds the environment's lease",
    );
    expect(judge({ locks: [elsewhere(ago(2 * TTL))] }).why).toBe(
      "older than the 60 s lease, with no live lease holder in the state store",
    );
    expect(judge({ locks: [here(DEAD_PID)] }).why).toBe("which no longer runs");
  });
});
