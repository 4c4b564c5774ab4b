import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type OperationalState, initialState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import type { RegionEndpoint } from "../../automation/ports";
import { INVARIANTS, type InvariantViolation, InvariantChecker } from "../../automation/drill/invariants";
import { Recorder } from "../../automation/drill/recorder";
import { runDrill } from "../../automation/drill/runner";
import type { Scenario } from "../../automation/drill/scenario";
import { scenarioConfig } from "../../automation/drill/scenarioConfig";
import { SHIPPED_DRILLS, loadScenario } from "../../automation/drill/scenarioFiles";
import { SimCloud } from "../../automation/drill/simCloud";
import { SimGlobalDatabase } from "../../automation/drill/simDatabase";
import { SimHealthSource } from "../../automation/drill/simHealthSource";
import { DRILL_EPOCH_MS, VirtualClock } from "../../automation/drill/virtualClock";
import { unitScenario } from "./unitScenario";

const scenario = unitScenario;

/** A simulated world with the checker watching, and nobody driving it but the test. */
function world(s: Scenario = scenario()) {
  const built = scenarioConfig(s);
  if (!("config" in built)) throw new Error("bad config");
  const clock = new VirtualClock(DRILL_EPOCH_MS);
  const recorder = new Recorder(clock);
  const cloud = new SimCloud(s, built.config, 1, clock, recorder);
  const database = new SimGlobalDatabase(cloud, recorder, s.database, s.writer);
  const checker = new InvariantChecker(cloud, database, s.healthCheck.failureThreshold);
  let sampled = clock.now();
  const sampleUntil = (toMs: number): void => {
    for (; sampled < toMs; sampled += 1000) checker.onSecond(sampled);
  };
  /** Runs the clock, with the checker's per-second look, until `seconds` after the start. */
  const runTo = async (seconds: number): Promise<void> => {
    const until = DRILL_EPOCH_MS + seconds * 1000;
    await clock.idle();
    while (await clock.step(until, (_from, to) => sampleUntil(to))) {
      // timers fire in order
    }
    sampleUntil(until);
    clock.advanceTo(until);
  };
  /** Runs the clock until `work` settles. */
  const drive = async <T>(work: Promise<T>): Promise<void> => {
    let done = false;
    const watched = work.then(
      () => (done = true),
      () => (done = true),
    );
    await clock.idle();
    while (!done && (await clock.step(clock.now() + 3_600_000, (_from, to) => sampleUntil(to)))) {
      // until the call returns
    }
    await watched;
  };
  return { cloud, database, checker, clock, runTo, drive };
}

const rules = (vs: readonly InvariantViolation[]): string[] => [...new Set(vs.map((v) => v.rule))];

/** Each case breaks one rule on purpose and returns what the checker reported. */
const BREAKERS: Record<string, () => Promise<readonly InvariantViolation[]>> = {
  async [INVARIANTS.noImpairedRegionCalls]() {
    const w = world();
    w.cloud.outage("us-east-1");
    await w.runTo(120);
    // A controller variant that keeps describing the database through the dead writer region.
    await w.drive(w.database.describe("us-east-1"));
    return w.checker.violations;
  },
  async [INVARIANTS.neverZeroWriters]() {
    // A controller variant whose failover plan does nothing: the writer is never replaced.
    const s = loadScenario(path.join(SHIPPED_DRILLS, "primary-outage-auto-failover.yaml"));
    const { report } = await runDrill(s, { transformPlan: (p) => ({ ...p, steps: [], compensation: [] }) });
    return report.invariantViolations;
  },
  async [INVARIANTS.neverTwoWriters]() {
    const w = world();
    // Detaching a secondary without fencing the writer: both take writes.
    await w.drive(w.database.removeFromGlobal("us-west-2", "us-west-2"));
    await w.runTo(120);
    return w.checker.violations;
  },
  async [INVARIANTS.neverZeroServing]() {
    const w = world();
    // A controller variant whose stack update drains every region: Route 53 has no live record
    // while every region is up. Judged on the records the simulated cloud serves.
    const drained = drainAll(initialState(w.cloud.config));
    w.cloud.apply(planTopology(w.cloud.config, drained), [], true);
    await w.runTo(5);
    return w.checker.violations;
  },
  async [INVARIANTS.noPromotionWhileFailing]() {
    const w = world();
    w.cloud.outage("us-west-2");
    // The simulated region fails every probe for a whole detection window.
    const health = new SimHealthSource(w.cloud, {}, (sample) => w.checker.observe(sample));
    for (let i = 0; i < 4; i++) {
      await w.runTo(10 * (i + 1) + 30);
      await w.drive(health.observe(endpoints(w.cloud)));
    }
    // A controller variant that runs the next promotion wave anyway.
    w.checker.onStackUpdate(withOperation(initialState(w.cloud.config), "deploy", "running"), ["eu-west-1"]);
    return w.checker.violations;
  },
  async [INVARIANTS.noHalfFinishedVersion]() {
    const w = world();
    const before = withOperation(initialState(w.cloud.config), "deploy", "running");
    // A doctored stream: the release leaves the state with one region on the new version, no
    // operation in flight, and no failure recorded.
    const after = finish(before, "succeeded");
    after.regions["us-east-1"] = { ...after.regions["us-east-1"], version: "1.1.0" };
    w.checker.onStateWrite(before, after);
    return w.checker.violations;
  },
  async [INVARIANTS.neverTwoLeaders]() {
    // A controller variant with no leader election: every watcher replica acts on its own.
    const s = loadScenario(path.join(SHIPPED_DRILLS, "control-plane-writer-region-outage.yaml"));
    const { report } = await runDrill(s, { sim: { leaderless: true } });
    return report.invariantViolations;
  },
  async [INVARIANTS.outcomeRecorded]() {
    const w = world();
    const before = withOperation(initialState(w.cloud.config), "failover", "running");
    // A doctored stream: the operation leaves the state but its history entry says it still runs.
    w.checker.onStateWrite(before, finish(before, "running"));
    return w.checker.violations;
  },
};

function endpoints(cloud: SimCloud): RegionEndpoint[] {
  return cloud.regions.map((region) => ({ region, url: `https://${region}.example.com/health` }));
}

function drainAll(state: OperationalState): OperationalState {
  const regions: OperationalState["regions"] = {};
  for (const [r, rs] of Object.entries(state.regions)) regions[r] = { ...rs, drained: true };
  return { ...state, regions };
}

/** The state with an operation of `kind` in `phase`, started at the drill's start. */
function withOperation(
  state: OperationalState,
  kind: "deploy" | "failover",
  phase: "running",
): OperationalState {
  return {
    ...state,
    operation: {
      id: `${kind}-1`,
      kind,
      plan: { steps: [], compensation: [] },
      before: state.regions,
      writerBefore: state.writer,
      phase,
      cursor: 0,
      steps: [],
      startedAt: new Date(DRILL_EPOCH_MS).toISOString(),
      finishedAt: null,
      reason: null,
    },
  };
}

/** The state after its operation left it, with the history entry in `phase`. */
function finish(state: OperationalState, phase: "succeeded" | "running"): OperationalState {
  const op = state.operation;
  if (op === null) throw new Error("no operation to finish");
  const { plan: _plan, ...entry } = op;
  return {
    ...state,
    regions: { ...state.regions },
    operation: null,
    history: [
      ...state.history,
      { ...entry, phase, finishedAt: new Date(DRILL_EPOCH_MS + 60_000).toISOString() },
    ],
  };
}

describe("invariant checker: every rule fires when it is broken on purpose", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(Object.keys(BREAKERS))("%s is reported", async (rule) => {
    const violations = await BREAKERS[rule]();
    expect(rules(violations)).toContain(rule);
  });

  it("every rule has a breaker", () => {
    expect(Object.keys(BREAKERS).sort()).toEqual(Object.values(INVARIANTS).sort());
  });

  it("a promotion step is not judged while the failing region's outage is younger than a detection window", async () => {
    const w = world();
    w.cloud.outage("us-west-2");
    const health = new SimHealthSource(w.cloud, {}, (sample) => w.checker.observe(sample));
    for (let i = 0; i < 3; i++) {
      await w.runTo(5 * (i + 1));
      await w.drive(health.observe(endpoints(w.cloud)));
    }
    w.checker.onStackUpdate(withOperation(initialState(w.cloud.config), "deploy", "running"), ["eu-west-1"]);
    expect(w.checker.violations).toEqual([]);
  });

  it("a release that ends with every region on one version leaves nothing half finished", () => {
    const w = world();
    const before = withOperation(initialState(w.cloud.config), "deploy", "running");
    w.checker.onStateWrite(before, finish(before, "succeeded"));
    expect(w.checker.violations).toEqual([]);
  });

  it("a region whose stack lags the state at the end is reported, unless the state queues its update", () => {
    const lagging = (): { w: ReturnType<typeof world>; state: OperationalState } => {
      const w = world();
      // The stack renders the first state; the state then moves us-east-1 to another version.
      const state = initialState(w.cloud.config);
      w.cloud.apply(planTopology(w.cloud.config, state), w.cloud.regions, true);
      const east = state.regions["us-east-1"];
      const slots = { ...east.slots, blue: { version: "1.1.0", replicas: east.slots.blue?.replicas ?? 2 } };
      state.regions["us-east-1"] = { ...east, version: "1.1.0", slots, releaseStatus: "failed" };
      return { w, state };
    };
    const unexplained = lagging();
    unexplained.w.checker.finish(unexplained.state, []);
    expect(rules(unexplained.w.checker.violations)).toEqual([INVARIANTS.noHalfFinishedVersion]);

    const queued = lagging();
    queued.state.deferredStackUpdate = {
      operationId: "deploy-1",
      stepId: "rollback/restore",
      queuedAt: new Date(DRILL_EPOCH_MS).toISOString(),
      attempts: 1,
      nextAttemptAt: new Date(DRILL_EPOCH_MS + 30_000).toISOString(),
      lastError: "us-east-1 failing: restored in state, stack not updated",
    };
    queued.w.checker.finish(queued.state, []);
    expect(queued.w.checker.violations).toEqual([]);
  });

  it("a call into an impaired region is not judged before any controller could know of the outage", async () => {
    const w = world();
    w.cloud.outage("us-east-1");
    await w.runTo(5);
    await w.drive(w.database.describe("us-east-1"));
    await w.drive(w.database.describe("us-west-2"));
    expect(w.checker.violations).toEqual([]);
  });

  it("no writer is allowed for the writer path's floor plus the margin, not longer", async () => {
    const w = world();
    const allowed = w.checker.zeroWritersAllowanceSeconds();
    // Detection 26 s + failover 60 s + margin 60 s.
    expect(allowed).toBe(146);
    w.database.writerRegionLost("us-east-1");
    w.cloud.outage("us-east-1");
    await w.runTo(allowed);
    expect(rules(w.checker.violations)).not.toContain(INVARIANTS.neverZeroWriters);
    await w.runTo(allowed + 2);
    expect(rules(w.checker.violations)).toContain(INVARIANTS.neverZeroWriters);
  });

  it("no writer is judged only while some live region's cluster could take the writes", async () => {
    const w = world();
    const allowed = w.checker.zeroWritersAllowanceSeconds();
    // Every secondary dropped out of the global database: promoting one would lose what it lacks.
    w.database.replicationBreak("us-west-2");
    w.database.replicationBreak("eu-west-1");
    w.database.writerRegionLost("us-east-1");
    w.cloud.outage("us-east-1");
    await w.runTo(allowed + 60);
    expect(rules(w.checker.violations)).not.toContain(INVARIANTS.neverZeroWriters);
    // A cluster rebuilt in the global database could: the clock runs from then.
    const at = w.cloud.clock.now();
    w.database.rebuild("eu-west-1");
    await w.runTo((at - DRILL_EPOCH_MS) / 1000 + allowed - 5);
    expect(rules(w.checker.violations)).not.toContain(INVARIANTS.neverZeroWriters);
    await w.runTo((at - DRILL_EPOCH_MS) / 1000 + allowed + 2);
    expect(rules(w.checker.violations)).toContain(INVARIANTS.neverZeroWriters);
  });

  it("a leader that acted before its successor's term began is not a second leader", () => {
    const w = world();
    w.checker.leaderTerm("us-east-1", DRILL_EPOCH_MS);
    w.checker.leaderAction("us-east-1", DRILL_EPOCH_MS, "a state change");
    w.checker.leaderTerm("us-west-2", DRILL_EPOCH_MS + 10_000);
    expect(w.checker.violations).toEqual([]);
  });

  it("an old leader acting after its successor took the lead is a second leader", async () => {
    const w = world();
    w.checker.leaderTerm("us-east-1", DRILL_EPOCH_MS);
    w.checker.leaderTerm("us-west-2", DRILL_EPOCH_MS + 10_000);
    await w.runTo(20);
    w.checker.leaderAction("us-west-2", DRILL_EPOCH_MS + 10_000, "a state change");
    expect(w.checker.violations).toEqual([]);
    w.checker.leaderAction("us-east-1", DRILL_EPOCH_MS, "a state change");
    expect(rules(w.checker.violations)).toEqual([INVARIANTS.neverTwoLeaders]);
  });

  it("manual failover leaves the writer to an operator: no zero-writers violation", async () => {
    const w = world(scenario({ failover: { mode: "manual" } }));
    w.database.writerRegionLost("us-east-1");
    w.cloud.outage("us-east-1");
    await w.runTo(600);
    expect(rules(w.checker.violations)).not.toContain(INVARIANTS.neverZeroWriters);
  });

  it("silencing report() leaves every breaker unseen, so the tests above turn red", async () => {
    vi.spyOn(InvariantChecker.prototype as unknown as { report: () => void }, "report").mockImplementation(
      () => {},
    );
    for (const [rule, breaker] of Object.entries(BREAKERS)) {
      expect(rules(await breaker()), rule).not.toContain(rule);
    }
  });
});
