import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { decide } from "../../automation/watch/decide";
import type { Decision } from "../../automation/watch/decision";
import type { TickInputs } from "../../automation/watch/tickInputs";
import {
  type Answer,
  DOWN,
  EUW1,
  USE1,
  USW2,
  auto,
  inputs,
  lease,
  manual,
  release,
  rounds,
} from "./decideFixtures";

/**
 * decide as tables: one tick's inputs, plain data, and the decisions it returns. The one-operation
 * rule and the preemption rule are exercised here, each row with and without a failed writer.
 */
const writerDown = rounds(3, USE1, DOWN);
const quiet: Record<string, Answer>[] = [{}, {}, {}];
const tags = (ds: readonly Decision[]): string[] =>
  ds.map((d) => `${d.kind}:${d.action}${d.effect === undefined ? "" : `>${d.effect.do}`}`);

const stateWith = (op: ReturnType<typeof release>) => ({ ...initialState(auto), operation: op });
/** A running release whose plan moves `regions`. */
const movingRelease = (regions: readonly string[]) => {
  const op = release("running");
  return { ...op, plan: { ...(op.plan as object), regions } };
};

/** Another process's switchover from us-east-1 to us-west-2, running. */
const movingSwitchover = (() => {
  const op = release("running", "switchover");
  return { ...op, plan: { ...(op.plan as object), regions: [USE1, USW2] } };
})();

const rows: {
  readonly name: string;
  readonly history: readonly Readonly<Record<string, Answer>>[];
  readonly over: Partial<TickInputs>;
  readonly config?: typeof auto;
  readonly tags: readonly string[];
  readonly attention: "none" | "failed" | "waiting";
}[] = [
  { name: "all healthy, nothing to do", history: quiet, over: {}, tags: [], attention: "none" },
  {
    name: "writer down, auto: the failover starts",
    history: writerDown,
    over: {},
    tags: ["failover:started>start"],
    attention: "none",
  },
  {
    name: "writer down, manual: the failover is reported for a person (waiting)",
    history: writerDown,
    over: {},
    config: manual,
    tags: ["failover:reported"],
    attention: "waiting",
  },
  {
    name: "writer down, database not read yet: nothing decided, the database is asked for",
    history: writerDown,
    over: { database: "unread" },
    tags: [],
    attention: "none",
  },
  {
    name: "writer down, no region could describe the database: refused (failed)",
    history: writerDown,
    over: { database: null },
    tags: ["failover:refused"],
    attention: "failed",
  },
  {
    name: "writer down while the watcher's repair runs: the repair yields",
    history: writerDown,
    over: { running: { id: "repair-1", kind: "repair", target: null } },
    tags: ["yield:stopping>stop"],
    attention: "none",
  },
  {
    name: "writer healthy while the watcher's repair runs: one operation at a time",
    history: quiet,
    over: { running: { id: "repair-1", kind: "repair", target: null } },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "writer down while a failover runs: it is the recovery, waited for",
    history: writerDown,
    over: { running: { id: "failover-1", kind: "failover", target: USW2 } },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "writer down, manual, while the watcher's repair runs: no yield without auto",
    history: writerDown,
    config: manual,
    over: { running: { id: "repair-1", kind: "repair", target: null } },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "writer down while another process's release runs: it is preempted",
    history: writerDown,
    over: { state: stateWith(release("running")), leaseLive: true, lease: lease("alice", "deploy-1") },
    tags: ["preempt:stopping>preempt"],
    attention: "none",
  },
  {
    name: "writer down, the release was asked and has not let go: wait for it",
    history: writerDown,
    over: {
      state: stateWith(release("running")),
      leaseLive: true,
      lease: lease("alice", "deploy-1"),
      preemptAsked: ["deploy-1"],
    },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "a region the release moves fails while the writer is healthy: the release is preempted",
    history: rounds(3, EUW1, DOWN),
    over: {
      state: stateWith(movingRelease([USW2, EUW1])),
      leaseLive: true,
      lease: lease("alice", "deploy-1"),
    },
    tags: ["preempt:stopping>preempt"],
    attention: "none",
  },
  {
    name: "a region the release moves serves errors (a bad build) but Route 53 sees it up: the release's own gate decides",
    history: rounds(3, EUW1, { probe: false, route53: 1 }),
    over: {
      state: stateWith(movingRelease([USW2, EUW1])),
      leaseLive: true,
      lease: lease("alice", "deploy-1"),
    },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "a region the release does not move fails: the release goes on",
    history: rounds(3, EUW1, DOWN),
    over: { state: stateWith(movingRelease([USW2])), leaseLive: true, lease: lease("alice", "deploy-1") },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "manual mode, a region the release moves fails: reported only, the release goes on",
    history: rounds(3, EUW1, DOWN),
    config: manual,
    over: {
      state: stateWith(movingRelease([USW2, EUW1])),
      leaseLive: true,
      lease: lease("alice", "deploy-1"),
    },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "a switchover's target, named the writer once the database moves, fails mid-switchover: the switchover is preempted",
    history: rounds(3, USW2, DOWN),
    over: {
      state: { ...stateWith(movingSwitchover), writer: USW2 },
      leaseLive: true,
      lease: lease("alice", "switchover-1"),
    },
    tags: ["preempt:stopping>preempt"],
    attention: "none",
  },
  {
    name: "once the preempted switchover let go, the failover from its dead target starts",
    history: rounds(3, USW2, DOWN),
    over: { state: { ...initialState(auto), writer: USW2 } },
    tags: ["failover:started>start"],
    attention: "none",
  },
  {
    name: "the old writer fails before the switchover moved the database: the switchover is preempted",
    history: writerDown,
    over: { state: stateWith(movingSwitchover), leaseLive: true, lease: lease("alice", "switchover-1") },
    tags: ["preempt:stopping>preempt"],
    attention: "none",
  },
  {
    name: "the switchover's target fails before the database moved: the switchover is preempted, not rolled back through it",
    history: rounds(3, USW2, DOWN),
    over: { state: stateWith(movingSwitchover), leaseLive: true, lease: lease("alice", "switchover-1") },
    tags: ["preempt:stopping>preempt"],
    attention: "none",
  },
  {
    name: "a region the switchover does not move fails: the switchover goes on",
    history: rounds(3, EUW1, DOWN),
    over: {
      state: { ...stateWith(movingSwitchover), writer: USW2 },
      leaseLive: true,
      lease: lease("alice", "switchover-1"),
    },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "manual mode, a switchover's target fails: not preempted, the failover waits for a person",
    history: rounds(3, USW2, DOWN),
    config: manual,
    over: {
      state: { ...stateWith(movingSwitchover), writer: USW2 },
      leaseLive: true,
      lease: lease("alice", "switchover-1"),
    },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "writer healthy while another process's release runs: left alone",
    history: quiet,
    over: { state: stateWith(release("running")), leaseLive: true, lease: lease("alice", "deploy-1") },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "writer down past a paused release: superseded, and the failover starts",
    history: writerDown,
    over: { state: stateWith(release("paused")) },
    tags: ["operation:recorded", "failover:started>start"],
    attention: "none",
  },
  {
    name: "writer healthy, a paused release: reported for a person",
    history: quiet,
    over: { state: stateWith(release("paused")) },
    tags: ["operation:reported"],
    attention: "none",
  },
  {
    name: "a release whose rollback failed: reported (failed)",
    history: quiet,
    over: { state: stateWith(release("failed")) },
    tags: ["operation:reported"],
    attention: "failed",
  },
  {
    name: "an interrupted release (no live lease): a person resumes or aborts it (waiting)",
    history: quiet,
    over: { state: stateWith(release("running")) },
    tags: ["operation:reported"],
    attention: "waiting",
  },
  {
    name: "an interrupted failover: the watcher resumes it",
    history: quiet,
    over: { state: stateWith(release("running", "failover")) },
    tags: ["resume:started>resume"],
    attention: "none",
  },
  {
    name: "another process holds the lease with no operation recorded: wait",
    history: quiet,
    over: { leaseLive: true, lease: lease("bob", "bookkeeping") },
    tags: ["operation:deferred"],
    attention: "none",
  },
  {
    name: "a secondary down: it is taken out of traffic",
    history: rounds(3, EUW1, DOWN),
    over: {},
    tags: ["holdout:started>start"],
    attention: "none",
  },
  {
    name: "a secondary down, manual: the hold-out is reported, not done",
    history: rounds(3, EUW1, DOWN),
    config: manual,
    over: {},
    tags: ["holdout:reported"],
    attention: "none",
  },
];

describe("decide: the one-operation and preemption rules", () => {
  it.each(rows)("$name", ({ history, over, config, tags: want, attention }) => {
    const out = decide(inputs(config ?? auto, history, over));
    expect(tags(out.decisions)).toEqual(want);
    expect(out.attention).toBe(attention);
  });

  it("asks for the database only when a rule needs it", () => {
    expect(decide(inputs(auto, writerDown, { database: "unread" })).needsDatabase).toBe(true);
    const quietTick = inputs(auto, quiet, { database: "unread" });
    expect(decide(quietTick).needsDatabase).toBe(false);
    // Past the replication check interval, the members are looked at again.
    expect(decide({ ...quietTick, now: quietTick.now + 61_000 }).needsDatabase).toBe(true);
  });

  it("the started failover carries its plan and the incident it opens, and counts its id in the memory", () => {
    const tick = inputs(auto, writerDown);
    const out = decide(tick);
    const failover = out.decisions[0];
    expect(failover.plan?.kind).toBe("failover");
    expect(failover.effect).toMatchObject({ do: "start", after: { kind: "close-incident", from: USE1 } });
    const effect = failover.effect as Extract<Decision["effect"], { do: "start" }>;
    const opened = effect.before?.(tick.state);
    expect(opened?.incidents.at(-1)).toMatchObject({ kind: "failover", from: USE1, to: failover.region });
    expect(out.memory.sequence).toBe(tick.memory.sequence + 1);
  });

  it("is a pure function: the same inputs give the same decisions, and the inputs are not changed", () => {
    const tick = inputs(auto, writerDown, { state: stateWith(release("paused")) });
    const snapshot = JSON.stringify(tick);
    const a = decide(tick);
    const b = decide(tick);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(tick)).toBe(snapshot);
  });
});
