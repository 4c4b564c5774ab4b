import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { FileStateStore } from "../../automation/adapters/state/fileStateStore";
import { FileVantageBoard } from "../../automation/adapters/vantage/fileVantageBoard";
import { systemClock } from "../../automation/executor/systemClock";
import { LeaseLostError } from "../../automation/ports";
import { type Replica, startReplica } from "../../automation/watch/replica";
import type { TickReport } from "../../automation/watch/tickReport";
import { memoryPorts } from "../support/memoryPorts";
import { sampleConfig } from "../support/sampleConfig";

// On the real clock: a leadership lease of a third of this must outlast a loaded machine's stalls,
// or the lead changes hands mid-test for reasons the test does not look at.
const INTERVAL_MS = 3000;
const config = sampleConfig({ regions: 3 });
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function rig() {
  const dir = await mkdtemp(path.join(tmpdir(), "regionctl-replicas-"));
  dirs.push(dir);
  const now = () => systemClock.now();
  const state = new FileStateStore({ stack: "dev", directory: dir, now });
  await state.write(initialState(config), null);
  const leaders = new FileStateStore({ stack: "dev.leader", directory: dir, now });
  const board = new FileVantageBoard(dir, "dev", ["us-east-1", "us-west-2"]);
  const mem = memoryPorts(config);
  const up: Record<string, boolean> = { "us-east-1": true, "us-west-2": true, "eu-west-1": true };
  mem.health.policy = (region) => up[region] ?? false;
  const start = (voter: string) => {
    const stop = new AbortController();
    const replica = startReplica({
      config,
      ports: { ...mem.ports, state, clock: systemClock },
      holder: `watch@${voter}/pod`,
      stack: "dev",
      signal: stop.signal,
      voter,
      leaders,
      board,
      intervalMs: INTERVAL_MS,
    });
    return { replica, stop, voter };
  };
  return { dir, state, leaders, board, up, start };
}

const leading = (rs: readonly { replica: Replica }[]) => rs.filter((r) => r.replica.leadership.leads());

const holdouts = (reports: readonly TickReport[]) =>
  reports.flatMap((r) => r.decisions.filter((d) => d.kind === "holdout").map((d) => d.action));

async function tickBoth(rs: readonly Started[], n: number): Promise<Record<string, TickReport[]>> {
  const out: Record<string, TickReport[]> = Object.fromEntries(rs.map((r) => [r.voter, []]));
  for (let i = 0; i < n; i++) {
    const reports = await Promise.all(rs.map((r) => r.replica.watcher.tick()));
    rs.forEach((r, k) => out[r.voter].push(reports[k]));
    expect(leading(rs)).toHaveLength(1);
  }
  return out;
}

type Started = ReturnType<Awaited<ReturnType<typeof rig>>["start"]>;

describe("watcher replicas over a file store", () => {
  it("only the leader acts; the standby decides the same as a dry run; both vote", async () => {
    const { start, up, board, state } = await rig();
    const a = start("us-east-1");
    const b = start("us-west-2");
    await systemClock.sleep(50);
    const [leader, standby] = a.replica.leadership.leads() ? [a, b] : [b, a];
    up["eu-west-1"] = false;
    const reports = await tickBoth([a, b], 5);
    expect(holdouts(reports[leader.voter])).toContain("started");
    expect(holdouts(reports[standby.voter]).length).toBeGreaterThan(0);
    expect(holdouts(reports[standby.voter]).every((action) => action === "proposed")).toBe(true);
    await leader.replica.watcher.settled();
    expect((await state.read())?.state.regions["eu-west-1"]?.drained).toBe(true);
    expect(new Set((await board.read()).map((r) => r.voter))).toEqual(new Set(["us-east-1", "us-west-2"]));
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.replica.leading, b.replica.leading]);
  }, 30_000);

  it("when the leader dies the standby takes over within the lease's TTL, and the dead one's write is refused", async () => {
    const { start, state, leaders } = await rig();
    const a = start("us-east-1");
    await systemClock.sleep(50);
    expect(a.replica.leadership.leads()).toBe(true);
    const b = start("us-west-2");
    await tickBoth([a, b], 2);
    expect(b.replica.leadership.leads()).toBe(false);
    const stored = await state.read();
    if (stored === null) throw new Error("no state");
    // Written while it leads: accepted.
    const etag = await a.replica.state.write(stored.state, stored.etag);
    await expect(b.replica.state.write(stored.state, etag)).rejects.toBeInstanceOf(LeaseLostError);

    // Killed: no resignation, its lease runs out on its own.
    a.stop.abort();
    await a.replica.leading;
    const died = systemClock.now();
    const ttl = a.replica.leadership.ttlMs;
    while (!b.replica.leadership.leads() && systemClock.now() - died < 3 * ttl) await systemClock.sleep(20);
    expect(b.replica.leadership.leads()).toBe(true);
    // Its last renewal was at most a third of the TTL before it died; the standby looks again when it lapses.
    expect(systemClock.now() - died).toBeLessThanOrEqual(ttl + 250);
    expect((await leaders.readLease())?.holder).toBe("watch@us-west-2/pod");
    await expect(a.replica.state.write(stored.state, etag)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await state.read())?.etag).toBe(etag);
    b.stop.abort();
    await b.replica.leading;
  }, 30_000);

  it("a replica that stops resigns, and the standby takes the lease when it next looks", async () => {
    const { start, leaders } = await rig();
    const a = start("us-east-1");
    await systemClock.sleep(50);
    const b = start("us-west-2");
    a.stop.abort();
    await a.replica.leading;
    await a.replica.leadership.resign();
    expect(await leaders.readLease()).toBeNull();
    const t0 = systemClock.now();
    while (!b.replica.leadership.leads() && systemClock.now() - t0 < 2000) await systemClock.sleep(20);
    expect(b.replica.leadership.leads()).toBe(true);
    b.stop.abort();
    await b.replica.leading;
  }, 30_000);
});
