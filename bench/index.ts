import * as path from "node:path";
import { initialState } from "../components/operationalState";
import { planPromotion } from "../automation/plans/promotion";
import { isRefusal } from "../automation/plans/steps";
import { sequentialPlan, unavoidableWaitSeconds } from "../automation/drill/planTiming";
import { type DrillOptions, runDrill } from "../automation/drill/runner";
import { type Scenario, validateScenario } from "../automation/drill/scenario";
import { scenarioConfig } from "../automation/drill/scenarioConfig";
import { SHIPPED_DRILLS, loadScenarioDir } from "../automation/drill/scenarioFiles";
import { controlPlaneBench } from "./controlPlane";

/**
 * `npm run bench`: RTO against the floor (the longer of the clients and writer paths) for every
 * outage drill, the same drills under a serial controller's mechanics at the same settings as the
 * baseline, the control plane's drills and random schedules, promotion wall time against each
 * strategy's floor, and drill speed.
 * Every figure comes from drills run in this process; ratios compare figures measured here.
 */

const SEEDS = [1, 2, 3, 4, 5];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number | null, digits = 0): string =>
  n === null || !Number.isFinite(n) ? "-" : n.toFixed(digits);

function table(head: string[], rows: string[][]): void {
  console.log(`| ${head.join(" | ")} |`);
  console.log(`| ${head.map(() => "---").join(" | ")} |`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log("");
}

/**
 * A serial controller's mechanics at the scenario's own check interval and threshold: regions probed one
 * by one without a timeout, a loop that waits for the next slot after a round that overran, and
 * sequential failover steps. Same settings on both sides, so the
 * ratio shows what the controller does, not what a setting does.
 */
function baseline(s: Scenario): { scenario: Scenario; options: DrillOptions } {
  return {
    scenario: s,
    options: {
      sim: { sequentialProbes: true, unboundedProbeSeconds: 10, skipOverrunSlots: true },
      transformPlan: sequentialPlan,
    },
  };
}

interface OutageFigures {
  rto: number | null;
  floor: number;
  rpo: number;
}

/** Whether the watcher ran the failover with its parallel step unrolled (it takes `transformPlan`). */
let sequentialApplied: boolean | null = null;

async function outageFigures(
  s: Scenario,
  options: DrillOptions,
  seed: number,
): Promise<OutageFigures | null> {
  const { report } = await runDrill(s, { ...options, seed });
  if (options.transformPlan !== undefined && report.operations.some((o) => o.kind === "failover")) {
    const parallelRan = report.timeline.some(
      (e) => e.kind === "step-finished" && /: failover\/move /.test(e.message),
    );
    sequentialApplied = (sequentialApplied ?? true) && !parallelRan;
  }
  const writerOutage = report.incidents.find(
    (i) => i.kind === "outage" && i.floorSeconds !== null && i.floorSeconds > 0,
  );
  if (writerOutage === undefined || writerOutage.floorSeconds === null) return null;
  return { rto: writerOutage.rtoSeconds, floor: writerOutage.floorSeconds, rpo: writerOutage.rpoSeconds };
}

async function rtoBench(scenarios: Scenario[]): Promise<void> {
  console.log("## RTO against the floor (median of seeds " + SEEDS.join(", ") + ")\n");
  const rows: string[][] = [];
  for (const s of scenarios) {
    if (!s.events.some((e) => e.kind === "outage" && e.region === s.writer)) continue;
    const ours: OutageFigures[] = [];
    const base: OutageFigures[] = [];
    for (const seed of SEEDS) {
      const o = await outageFigures(s, {}, seed);
      const b = baseline(s);
      const bf = await outageFigures(b.scenario, b.options, seed);
      if (o !== null) ours.push(o);
      if (bf !== null) base.push(bf);
    }
    const rto = (fs: OutageFigures[]): number | null =>
      fs.some((f) => f.rto === null) ? null : median(fs.map((f) => f.rto as number));
    const oursRto = rto(ours);
    const baseRto = rto(base);
    const floor = ours[0]?.floor ?? 0;
    rows.push([
      s.name,
      s.failover.mode === "manual" ? "manual" : "auto",
      fmt(oursRto),
      fmt(floor, 1),
      oursRto === null ? "-" : fmt(oursRto / floor, 2),
      oursRto === null ? "-" : oursRto / floor <= 1.05 ? "yes" : "no",
      fmt(median(ours.map((f) => f.rpo)), 2),
      fmt(baseRto),
      fmt(base[0]?.floor ?? null, 1),
      baseRto === null || oursRto === null ? "-" : fmt(baseRto / oursRto, 2),
    ]);
  }
  table(
    [
      "scenario",
      "mode",
      "RTO s",
      "floor s",
      "RTO/floor",
      "<= 1.05",
      "RPO s",
      "baseline RTO s",
      "baseline floor s",
      "baseline/regionctl",
    ],
    rows,
  );
  console.log(
    sequentialApplied === true
      ? "Baseline failovers ran with their parallel step unrolled (sequential failover steps).\n"
      : "Baseline failovers still ran the database promotion and traffic move in parallel: the watcher does not take `transformPlan` yet, so the baseline has the old detection (one region at a time, no probe timeout) but not its sequential steps.\n",
  );
}

/** Scenarios shipped in pairs: `<name>` with ARC routing controls, `<name>-health-check` without. */
const HEALTH_CHECK_TWIN = "-health-check";

/** The drill's default managed failover time: Aurora's usual, against the pair's best case. */
const AURORA_FAILOVER_SECONDS = 60;

/** What a pair's outage costs: the RTO, and each of the two paths it waits for. */
interface ArcFigures {
  readonly rto: number | null;
  readonly floor: number;
  /** Seconds until every client resolves to a healthy serving region. */
  readonly clients: number | null;
  /** Seconds until the writer accepts writes again; null when the outage left the writer alone. */
  readonly writer: number | null;
}

async function arcFigures(s: Scenario, seed: number): Promise<ArcFigures | null> {
  const { report } = await runDrill(s, { seed });
  const incident = report.incidents.find((i) => i.kind === "outage");
  if (incident === undefined || incident.floorSeconds === null) return null;
  const at = incident.atSeconds;
  const after = (kind: string): number | null => {
    const e = report.timeline.find((x) => x.kind === kind && x.atSeconds >= at);
    return e === undefined ? null : e.atSeconds - at;
  };
  const refused = report.timeline.some((x) => x.kind === "writes-refused" && x.atSeconds >= at);
  return {
    rto: incident.rtoSeconds,
    floor: incident.floorSeconds,
    clients: after("clients-recovered"),
    writer: refused ? after("writes-accepted") : null,
  };
}

/**
 * ARC routing controls against health-check routing on the same outage, watchers, probes, TTL,
 * threshold and database: the ratio of the RTOs is what flipping routing controls buys over
 * Route 53's detection. The writer's pair runs again with the managed failover at the
 * simulation's default minute, Aurora's usual time: the promotion then bounds both routings.
 */
async function arcBench(scenarios: Scenario[]): Promise<void> {
  const pairs = scenarios.flatMap((arc) => {
    if (arc.dnsControl !== "arc") return [];
    const twin = scenarios.find((s) => s.name === `${arc.name}${HEALTH_CHECK_TWIN}`);
    if (twin === undefined) return [];
    const shipped = { label: arc.name, arc, hc: twin };
    const writerOut = arc.events.some((e) => e.kind === "outage" && e.region === arc.writer);
    if (!writerOut || arc.database.failoverSeconds >= AURORA_FAILOVER_SECONDS) return [shipped];
    const slow = (s: Scenario): Scenario => ({
      ...s,
      database: { ...s.database, failoverSeconds: AURORA_FAILOVER_SECONDS },
    });
    return [
      shipped,
      { label: `${arc.name}, promotion ${AURORA_FAILOVER_SECONDS} s`, arc: slow(arc), hc: slow(twin) },
    ];
  });
  if (pairs.length === 0) return;
  console.log(
    "## ARC routing controls against health-check routing (median of seeds " + SEEDS.join(", ") + ")\n",
  );
  const rows: string[][] = [];
  const med = (fs: ArcFigures[], key: "rto" | "clients" | "writer"): number | null =>
    fs.length === 0 || fs.some((f) => f[key] === null) ? null : median(fs.map((f) => f[key] as number));
  for (const { label, arc, hc } of pairs) {
    const figures = async (s: Scenario): Promise<ArcFigures[]> =>
      (await Promise.all(SEEDS.map((seed) => arcFigures(s, seed)))).flatMap((f) => (f === null ? [] : [f]));
    const a = await figures(arc);
    const h = await figures(hc);
    const arcRto = med(a, "rto");
    const hcRto = med(h, "rto");
    const paths = (fs: ArcFigures[]): string => `${fmt(med(fs, "clients"))} / ${fmt(med(fs, "writer"))}`;
    rows.push([
      label,
      `${arc.healthCheck.intervalSeconds} s / ${hc.healthCheck.intervalSeconds} s`,
      `${arc.dnsTtlSeconds} s`,
      fmt(arcRto),
      fmt(a[0]?.floor ?? null, 1),
      paths(a),
      fmt(hcRto),
      fmt(h[0]?.floor ?? null, 1),
      paths(h),
      arcRto === null || hcRto === null ? "-" : fmt(arcRto / hcRto, 2),
    ]);
  }
  table(
    [
      "scenario",
      "probes (ARC / health check)",
      "TTL",
      "ARC RTO s",
      "ARC floor s",
      "ARC clients / writer s",
      "health-check RTO s",
      "health-check floor s",
      "health-check clients / writer s",
      "ARC/health-check",
    ],
    rows,
  );
  console.log(
    "clients: until every client resolves to a healthy serving region; writer: until the writer accepts writes (- when the outage leaves it alone).\n",
  );
}

function promotionScenario(regions: string[], strategy: string): Scenario {
  const parsed = validateScenario({
    name: `promotion-${strategy}-${regions.length}`,
    regions,
    versions: { "1.0.0": { errorRate: 0.001 }, "1.1.0": { errorRate: 0.001 } },
    initialVersion: "1.0.0",
    release: { strategy },
    events: [{ at: 10, deploy: { version: "1.1.0", strategy } }],
    until: 40_000,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario;
}

const ALL_REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "us-east-2",
  "eu-west-2",
  "ca-central-1",
  "sa-east-1",
  "ap-south-1",
];

async function promotionBench(): Promise<void> {
  console.log("## Promotion wall time against the strategy's floor (release defaults)\n");
  console.log(
    "Floor: the sum of the plan's unavoidable waits (bake times, fixed waits, health-gate spacing) plus its stack updates, " +
      "one after another (the stack is locked), each taking the simulation's update time. " +
      "12 regions cannot be configured: an Aurora global database has at most 1 writer + 10 secondaries, so the largest size is 11.\n",
  );
  const rows: string[][] = [];
  for (const n of [3, 6, 11]) {
    for (const strategy of ["rolling", "blue-green", "canary"]) {
      const s = promotionScenario(ALL_REGIONS.slice(0, n), strategy);
      const before = scenarioConfig(s);
      const built = scenarioConfig(s, { version: "1.1.0", strategy });
      if ("problems" in built || "problems" in before)
        throw new Error(`promotion scenario ${s.name} is invalid`);
      // The same pure planner the drill's deploy runs, on the same inputs: its waits are the floor.
      const plan = planPromotion(built.config, initialState(before.config), "1.1.0", {
        strategy: built.config.release.strategy,
      });
      if (isRefusal(plan)) throw new Error(plan.reason);
      const updates = plan.steps.filter((st) => st.kind === "stackUpdate").length;
      const floor =
        unavoidableWaitSeconds(plan.steps, s.healthCheck.intervalSeconds) +
        updates * s.simulation.stackUpdateSeconds;
      const { report } = await runDrill(s, { seed: 1 });
      const op = report.operations.find((o) => o.kind === "deploy");
      const wall =
        op?.finishedAtSeconds === null || op === undefined
          ? null
          : op.finishedAtSeconds - op.startedAtSeconds;
      rows.push([
        String(n),
        strategy,
        op?.outcome ?? "-",
        fmt(wall),
        fmt(floor),
        wall === null ? "-" : fmt(wall / floor, 2),
        String(updates),
        fmt(wall === null ? null : wall - floor),
      ]);
    }
  }
  table(
    ["regions", "strategy", "outcome", "wall s", "floor s", "wall/floor", "stack updates", "over floor s"],
    rows,
  );
}

/** A day in the life: a release, a writer outage and its recovery, then quiet until `until`. */
function speedScenario(regions: string[], untilSeconds: number): Scenario {
  const parsed = validateScenario({
    name: `speed-${regions.length}-${untilSeconds}`,
    regions,
    versions: { "1.0.0": { errorRate: 0.001 }, "1.1.0": { errorRate: 0.001 } },
    initialVersion: "1.0.0",
    events: [
      { at: 60, deploy: { version: "1.1.0", strategy: "rolling" } },
      { at: 1800, outage: { region: regions[0] } },
      { at: 2700, recover: { region: regions[0] } },
    ],
    until: untilSeconds,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario;
}

type RunDrill = typeof runDrill;

/**
 * `--base DIR` points at a checkout of an earlier revision (its `node_modules` linked in): its own
 * drill runner runs the same scenarios in this process, so the speed ratio compares like with like.
 */
function baseRunner(): RunDrill | null {
  const i = process.argv.indexOf("--base");
  if (i < 0 || process.argv[i + 1] === undefined) return null;
  const dir = path.resolve(process.argv[i + 1]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(dir, "automation/drill/runner")) as { runDrill: RunDrill }).runDrill;
}

/** Rounds of each speed drill, this revision's and the base's taking turns; the fastest counts. */
const SPEED_ROUNDS = 3;

async function simulatedPerWallSecond(run: RunDrill, s: Scenario): Promise<{ sim: number; wall: number }> {
  const start = performance.now();
  const { simulatedSeconds } = await run(s, { seed: 1 });
  return { sim: simulatedSeconds, wall: (performance.now() - start) / 1000 };
}

const fastest = (
  a: { sim: number; wall: number } | null,
  b: { sim: number; wall: number },
): { sim: number; wall: number } => (a === null || b.wall < a.wall ? b : a);

async function speedBench(scenarios: Scenario[]): Promise<void> {
  console.log("## Drill speed\n");
  let simulated = 0;
  const start = performance.now();
  for (const s of scenarios)
    for (const seed of SEEDS) simulated += (await runDrill(s, { seed })).simulatedSeconds;
  const wall = (performance.now() - start) / 1000;
  table(
    ["drills run", "simulated s", "wall s", "simulated s per wall s"],
    [[String(scenarios.length * SEEDS.length), fmt(simulated), fmt(wall, 2), fmt(simulated / wall)]],
  );
  const base = baseRunner();
  const rows: string[][] = [];
  for (const n of [3, 11]) {
    for (const until of [3600, 86_400]) {
      const s = speedScenario(ALL_REGIONS.slice(0, n), until);
      // Taking turns and keeping each side's fastest round spreads the machine's other load and
      // the first round's compilation evenly over both sides.
      let ours: { sim: number; wall: number } | null = null;
      let then: { sim: number; wall: number } | null = null;
      for (let round = 0; round < SPEED_ROUNDS; round++) {
        ours = fastest(ours, await simulatedPerWallSecond(runDrill, s));
        if (base !== null) then = fastest(then, await simulatedPerWallSecond(base, s));
      }
      if (ours === null) continue;
      const rate = (x: { sim: number; wall: number } | null): number | null =>
        x === null ? null : x.sim / x.wall;
      rows.push([
        String(n),
        until === 3600 ? "1 h" : "24 h",
        fmt(ours.wall, 2),
        fmt(rate(ours)),
        then === null ? "-" : fmt(rate(then)),
        then === null ? "-" : fmt((rate(ours) as number) / (rate(then) as number), 2),
      ]);
    }
  }
  table(
    ["regions", "drill", "wall s", "simulated s per wall s", "base: simulated s per wall s", "speed-up"],
    rows,
  );
  if (base === null)
    console.log("Run with `--base DIR` (a checkout of an earlier revision) to compare speeds.\n");
}

async function main(): Promise<void> {
  const scenarios = loadScenarioDir(SHIPPED_DRILLS).map((x) => x.scenario);
  console.log(`# regionctl drill benchmarks (${path.relative(process.cwd(), SHIPPED_DRILLS) || "drills"})\n`);
  // `--only arc`: only the ARC table (a few seconds), for work on detection and routing.
  const only = process.argv.indexOf("--only");
  if (only >= 0) {
    const part = process.argv[only + 1];
    if (part !== "arc") {
      console.error(`bench: --only takes arc (got ${part ?? "nothing"})`);
      process.exitCode = 2;
      return;
    }
    await arcBench(scenarios);
    return;
  }
  // `--speed`: only the drill speed tables (a few seconds), for work on the simulation's speed.
  if (!process.argv.includes("--speed")) {
    await rtoBench(scenarios);
    await controlPlaneBench(scenarios, table);
    await arcBench(scenarios);
    await promotionBench();
  }
  await speedBench(scenarios);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
