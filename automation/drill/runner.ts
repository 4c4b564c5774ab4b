import { initialState } from "../../components/operationalState";
import type { OperationalState } from "../../components/operationalState";
import { type PlanTransform, DrillController } from "./controller";
import { type Incident, computeIncidents } from "./incidents";
import { type InvariantViolation, InvariantChecker } from "./invariants";
import { type Availability, Monitor, type Segment } from "./monitor";
import { Recorder, type TimelineEntry, drillSeconds } from "./recorder";
import type { DrillEvent, Scenario } from "./scenario";
import { scenarioConfig } from "./scenarioConfig";
import { type SimOptions, SimCloud } from "./simCloud";
import { SimGlobalDatabase } from "./simDatabase";
import { simulatedPorts } from "./simPorts";
import { stateChanges } from "./stateTimeline";
import { DRILL_EPOCH_MS, VirtualClock } from "./virtualClock";

export interface DrillOptions {
  readonly seed?: number;
  /** Simulation parameters outside the scenario (the benchmark's baseline). */
  readonly sim?: SimOptions;
  /** Rewrites the failover plans the watcher runs (the baseline's sequential steps). */
  readonly transformPlan?: PlanTransform;
  /** How long operations still in flight at `until` may take to finish. Default 3600 s. */
  readonly drainSeconds?: number;
}

export interface OperationReport {
  readonly id: string;
  readonly kind: string;
  readonly outcome: string;
  readonly startedAtSeconds: number;
  readonly finishedAtSeconds: number | null;
  readonly reason: string | null;
}

/** The `--json` report. Its field names are a public contract (`docs/drill.md` describes each). */
export interface DrillReport {
  readonly scenario: string;
  readonly seed: number;
  readonly untilSeconds: number;
  /** When the last operation in flight at `until` finished. */
  readonly endSeconds: number;
  readonly incidents: readonly Incident[];
  readonly finalWriter: string;
  readonly regions: Readonly<Record<string, { version: string; serving: boolean; healthy: boolean }>>;
  readonly operations: readonly OperationReport[];
  readonly timeline: readonly TimelineEntry[];
  /** Shares (0..1) of simulated client requests that succeeded and of writes accepted, whatever the cause. */
  readonly availability: Availability;
  readonly invariantViolations: readonly InvariantViolation[];
  /** Unmet `expect:` entries of the scenario; empty when all hold. */
  readonly expectationFailures: readonly string[];
}

export interface DrillRun {
  readonly report: DrillReport;
  /** Per region, the chart's stretches of unchanged frames. */
  readonly segments: ReadonlyMap<string, readonly Segment[]>;
  /** Simulated seconds run (through the drain). */
  readonly simulatedSeconds: number;
}

const secondsOf = (isoTime: string): number => drillSeconds(Date.parse(isoTime));

function describeEvent(e: DrillEvent): string {
  switch (e.kind) {
    case "deploy":
      return `deploy ${e.version}${e.strategy === undefined ? "" : ` (${e.strategy})`}`;
    case "outage":
      return `outage of ${e.region}`;
    case "recover":
      return `${e.region} recovers`;
    case "degrade":
      return `${e.region} degrades to ${Math.round(e.errorRate * 1000) / 10} % errors${e.latencyMs === undefined ? "" : `, ${e.latencyMs} ms`}`;
    case "flap":
      return `${e.region} flaps every ${e.periodSeconds} s`;
    case "replicationBreak":
      return `${e.region}'s cluster drops out of the global database`;
    case "apiErrors":
      return `next ${e.count} ${e.service} API call(s) in ${e.region ?? "us-east-1"} fail`;
    case "stackUpdateFailure":
      return `next ${e.count} stack update(s) of ${e.region} fail`;
    case "switchover":
      return `operator asks for a switchover to ${e.to}`;
    case "failback":
      return "operator asks for a failback";
    case "partition":
      return `the watcher in ${e.from} loses its path to ${e.to}`;
    case "heal":
      return `the watcher in ${e.from} reaches ${e.to} again`;
    case "abort":
      return "operator runs regionctl abort";
    case "promote":
      return `operator runs regionctl promote${e.full ? " --full" : ""}`;
  }
}

/**
 * Runs one scenario: the real controller against the simulated cloud on the virtual clock, with
 * every invariant checked as it runs. Deterministic for a scenario and seed.
 */
export async function runDrill(scenario: Scenario, options: DrillOptions = {}): Promise<DrillRun> {
  const seed = options.seed ?? 1;
  const built = scenarioConfig(scenario);
  if ("problems" in built) {
    throw new Error(
      `scenario ${scenario.name} does not make a valid config: ${built.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
    );
  }
  const clock = new VirtualClock(DRILL_EPOCH_MS);
  const recorder = new Recorder(clock);
  const cloud = new SimCloud(scenario, built.config, seed, clock, recorder, options.sim ?? {});
  const database = new SimGlobalDatabase(cloud, recorder, scenario.database, scenario.writer);
  const checker = new InvariantChecker(cloud, database, scenario.healthCheck.failureThreshold);
  const ports = simulatedPorts(cloud, database, checker, {
    onStateWrite: (before, after) => {
      for (const c of stateChanges(before as OperationalState | null, after as OperationalState)) {
        recorder.log("controller", c.kind, c.message, c.region);
      }
    },
  });
  ports.state.seed(initialState(built.config));
  const monitor = new Monitor(cloud, database, checker);
  const controller = new DrillController(cloud, ports, options.transformPlan ?? null, checker);
  const writerAt = new Map<number, string>();

  for (const e of scenario.events) {
    clock.schedule(DRILL_EPOCH_MS + e.at * 1000, () => {
      recorder.log(
        "scenario",
        e.kind,
        describeEvent(e),
        "region" in e ? e.region : "from" in e ? e.from : "to" in e ? e.to : undefined,
      );
      writerAt.set(e.index, database.writerRegion() ?? "");
      applyEvent(e);
    });
  }

  function applyEvent(e: DrillEvent): void {
    switch (e.kind) {
      case "outage":
        if (database.writerRegion() === e.region) database.writerRegionLost(e.region);
        if (database.promotingTo() === e.region) checker.promotionTargetLost(clock.now());
        cloud.outage(e.region);
        controller.replicas?.regionDown(e.region);
        return;
      case "recover":
        cloud.recover(e.region);
        if (cloud.regions.includes(e.region)) database.regionRecovered(e.region);
        controller.replicas?.regionUp(e.region);
        return;
      case "partition":
        cloud.placement.partition(e.from, e.to);
        return;
      case "heal":
        cloud.placement.heal(e.from, e.to);
        return;
      case "degrade":
        cloud.degrade(e.region, e.errorRate, e.latencyMs ?? null);
        return;
      case "flap":
        cloud.flap(e.region, e.periodSeconds);
        return;
      case "replicationBreak":
        database.replicationBreak(e.region);
        return;
      case "apiErrors":
        cloud.injectApiErrors(e.service, e.region ?? "us-east-1", e.count);
        return;
      case "stackUpdateFailure":
        cloud.injectStackFailures(e.region, e.count);
        return;
      case "deploy": {
        const built2 = scenarioConfig(scenario, { version: e.version, strategy: e.strategy });
        if ("config" in built2) cloud.config = built2.config;
        controller.deploy(e.version, e.strategy);
        return;
      }
      case "switchover":
        controller.switchover(e.to);
        return;
      case "failback":
        controller.failback();
        return;
      case "abort":
        controller.abort();
        return;
      case "promote":
        controller.promote(e.full);
        return;
    }
  }

  const untilMs = DRILL_EPOCH_MS + scenario.until * 1000;
  controller.startWatcher();
  await clock.idle();
  const advance = (from: number, to: number): void => monitor.sampleUntil(Math.min(to, untilMs));
  while (await clock.step(untilMs, advance)) {
    // each step fires one timer and lets the work it woke settle
  }
  monitor.sampleUntil(untilMs);
  clock.advanceTo(untilMs);
  recorder.log(
    "scenario",
    "until",
    `the scenario ends; the watcher stops${controller.busy() ? " and operations in flight finish" : ""}`,
  );
  controller.stop();
  const drainMs = untilMs + (options.drainSeconds ?? 3600) * 1000;
  let settled = false;
  void controller.settled().then(() => {
    settled = true;
  });
  await clock.idle();
  while (!settled && (await clock.step(drainMs))) {
    // operations in flight at `until` run to their end
  }
  const endMs = Math.max(clock.now(), untilMs);
  const state = ports.state.peek();
  checker.finish(state, controller.errors);
  if (!settled) {
    recorder.log(
      "check",
      "drain-timeout",
      `operations still running ${(drainMs - untilMs) / 1000} s after until`,
    );
  }

  const regions: Record<string, { version: string; serving: boolean; healthy: boolean }> = {};
  const answer = cloud.dnsAnswer(endMs);
  for (const r of scenario.regions) {
    regions[r] = {
      version: cloud.servedVersion(r, endMs),
      serving: answer.includes(r),
      healthy: cloud.actuallyHealthy(r, endMs),
    };
  }
  const operations: OperationReport[] = [...checker.operations.values()]
    .map((o) => ({
      id: o.id,
      kind: o.kind,
      outcome: o.phase,
      startedAtSeconds: secondsOf(o.startedAt),
      finishedAtSeconds: o.finishedAt === null ? null : secondsOf(o.finishedAt),
      reason: o.reason,
    }))
    .sort((a, b) => a.startedAtSeconds - b.startedAtSeconds || a.id.localeCompare(b.id));
  const incidents = computeIncidents(
    scenario,
    monitor,
    database.lost,
    writerAt,
    scenario.until,
    operations,
    checker.probes,
  );
  const finalWriter = database.writerRegion() ?? database.writersNow()[0] ?? state?.writer ?? scenario.writer;
  const partial = {
    scenario: scenario.name,
    seed,
    untilSeconds: scenario.until,
    endSeconds: drillSeconds(endMs),
    incidents,
    finalWriter,
    regions,
    operations,
    timeline: recorder.sorted(),
    availability: monitor.availability(),
    invariantViolations: checker.violations,
  };
  const report: DrillReport = {
    ...partial,
    expectationFailures: checkExpectations(scenario, partial, controller.decisionTags),
  };
  return { report, segments: monitor.segments, simulatedSeconds: drillSeconds(endMs) };
}

/** The scenario's `expect:` block against the report. */
function checkExpectations(
  scenario: Scenario,
  r: Omit<DrillReport, "expectationFailures">,
  decisions: ReadonlySet<string>,
): string[] {
  const x = scenario.expect;
  if (x === undefined) return [];
  const out: string[] = [];
  if (x.finalWriter !== undefined && r.finalWriter !== x.finalWriter) {
    out.push(`final writer is ${r.finalWriter}, expected ${x.finalWriter}`);
  }
  if (x.operations !== undefined) {
    let i = 0;
    for (const op of r.operations) {
      const want = x.operations[i];
      if (want !== undefined && op.kind === want.kind && op.outcome === want.outcome) i++;
    }
    if (i < x.operations.length) {
      const want = x.operations[i];
      out.push(
        `expected a ${want.kind} operation that ${want.outcome} (in order); got ${r.operations.map((o) => `${o.kind} ${o.outcome}`).join(", ") || "no operations"}`,
      );
    }
  }
  for (const kind of x.noOperations ?? []) {
    if (r.operations.some((o) => o.kind === kind)) out.push(`a ${kind} operation ran; expected none`);
  }
  for (const d of x.decisions ?? []) {
    if (!decisions.has(d))
      out.push(`expected the decision ${d}; decisions were ${[...decisions].sort().join(", ") || "none"}`);
  }
  for (const inc of r.incidents) {
    if (x.maxRtoOverFloor !== undefined && inc.floorSeconds !== null && inc.floorSeconds > 0) {
      if (inc.rtoSeconds === null)
        out.push(`${inc.kind} of ${inc.region} at ${inc.atSeconds} s never recovered`);
      else if (inc.rtoSeconds > x.maxRtoOverFloor * inc.floorSeconds) {
        out.push(
          `${inc.kind} of ${inc.region} at ${inc.atSeconds} s: RTO ${inc.rtoSeconds} s > ${x.maxRtoOverFloor} x floor ${inc.floorSeconds} s`,
        );
      }
    }
    if (x.maxRpoSeconds !== undefined && inc.rpoSeconds > x.maxRpoSeconds) {
      out.push(`${inc.kind} of ${inc.region}: RPO ${inc.rpoSeconds} s > ${x.maxRpoSeconds} s`);
    }
  }
  return out;
}
