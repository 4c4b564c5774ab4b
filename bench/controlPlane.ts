import { randomControlPlaneScenario } from "../automation/drill/randomControlPlaneScenario";
import { runDrill } from "../automation/drill/runner";
import type { Scenario } from "../automation/drill/scenario";

type Table = (head: string[], rows: string[][]) => void;

const fmt = (n: number | null, digits = 0): string =>
  n === null || !Number.isFinite(n) ? "-" : n.toFixed(digits);

/** Random control-plane schedules the figure is measured over (the test runs as many). */
const PROPERTY_SEEDS = 500;

/**
 * The control-plane drills (those with a `controlPlane` block): who led, how long the lead stayed
 * vacant after the leader died, what failed over and the RTO against the floor; then the random
 * schedules of partial partitions, watcher crashes and leader changes, counting false moves and
 * invariant violations.
 */
export async function controlPlaneBench(scenarios: readonly Scenario[], table: Table): Promise<void> {
  console.log("## Control plane: replicated watchers, leadership and quorum (seed 1)\n");
  const rows: string[][] = [];
  for (const s of scenarios) {
    if (s.controlPlane === undefined) continue;
    const { report } = await runDrill(s, { seed: 1 });
    const leaders = report.timeline.filter((e) => e.kind === "leader");
    const deaths = report.timeline.filter((e) => e.kind === "watcher-down");
    // The lead is vacant from the leader's death to the next "leads" line.
    const first = leaders[0]?.region;
    const died = deaths.find((d) => d.region === first);
    const next = died === undefined ? undefined : leaders.find((l) => l.atSeconds > died.atSeconds);
    const takeover = died === undefined || next === undefined ? null : next.atSeconds - died.atSeconds;
    const outage = report.incidents.find(
      (i) => i.kind === "outage" && i.floorSeconds !== null && i.floorSeconds > 0,
    );
    const moves = report.operations.filter((o) => o.kind === "failover" || o.kind === "traffic");
    rows.push([
      s.name,
      leaders.map((l) => l.region ?? "?").join(" → "),
      fmt(takeover, 1),
      moves.length === 0 ? "none" : moves.map((o) => `${o.kind} ${o.outcome}`).join(", "),
      fmt(outage?.rtoSeconds ?? null),
      fmt(outage?.floorSeconds ?? null, 1),
      outage?.rtoSeconds == null || outage.floorSeconds === null
        ? "-"
        : fmt(outage.rtoSeconds / outage.floorSeconds, 2),
      String(report.invariantViolations.length),
    ]);
  }
  table(
    ["scenario", "leaders", "lead vacant s", "moves", "RTO s", "floor s", "RTO/floor", "violations"],
    rows,
  );

  const started = performance.now();
  let falseMoves = 0;
  let twoLeaders = 0;
  let twoWriters = 0;
  let otherViolations = 0;
  let leaderChanges = 0;
  for (let seed = 1; seed <= PROPERTY_SEEDS; seed++) {
    const { report } = await runDrill(randomControlPlaneScenario(seed), { seed });
    falseMoves += report.operations.filter((o) => o.kind === "failover" || o.kind === "traffic").length;
    for (const v of report.invariantViolations) {
      if (v.rule === "never-two-leaders") twoLeaders++;
      else if (v.rule === "never-two-writers") twoWriters++;
      else otherViolations++;
    }
    if (report.timeline.filter((e) => e.kind === "leader").length > 1) leaderChanges++;
  }
  const wall = (performance.now() - started) / 1000;
  table(
    [
      "random schedules",
      "with a leader change",
      "false failovers or traffic moves",
      "two leaders",
      "two writers",
      "other violations",
      "wall s",
    ],
    [
      [
        String(PROPERTY_SEEDS),
        String(leaderChanges),
        String(falseMoves),
        String(twoLeaders),
        String(twoWriters),
        String(otherViolations),
        fmt(wall, 1),
      ],
    ],
  );
}
