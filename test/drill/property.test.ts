import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { randomScenario, randomScenarioDocument, shuffle } from "../../automation/drill/randomScenario";
import { sequence } from "../../automation/drill/random";
import { type DrillReport, runDrill } from "../../automation/drill/runner";

/** `npm test` runs 200 seeds; `npm run soak` sets REGIONCTL_PROPERTY_SEEDS=5000. */
const SEEDS = Number(process.env.REGIONCTL_PROPERTY_SEEDS ?? 200);
/** Reruns one seed: the command a failure prints. */
const ONLY = process.env.REGIONCTL_PROPERTY_SEED;
const UNTIL = 1500;
const seeds = (): number[] =>
  ONLY === undefined ? Array.from({ length: SEEDS }, (_, i) => i + 1) : [Number(ONLY)];

/** RTO may exceed the floor by this much on a schedule with a single fault. */
const SINGLE_FAULT_RTO_OVER_FLOOR = 1.2;
/**
 * Outside the incidents' impact, every region clients reach answers with an error rate below the
 * rollback threshold (0.2 in these schedules), so no more than that share of requests fails there;
 * inside, at worst every request fails. Availability below that bound means requests failed that
 * no incident accounts for.
 */
const ROLLBACK_ERROR_RATE = 0.2;

function availabilityBound(r: DrillReport): number {
  const impacted = r.incidents.reduce(
    (sum, i) => sum + Math.min(i.rtoSeconds ?? r.untilSeconds - i.atSeconds, r.untilSeconds - i.atSeconds),
    0,
  );
  return (1 - Math.min(1, impacted / r.untilSeconds)) * (1 - ROLLBACK_ERROR_RATE);
}

let dumpDir: string | null = null;
/** The one command that reproduces a failing seed, with the scenario written out for `regionctl drill`. */
function reproduce(seed: number, single: boolean): string {
  dumpDir ??= mkdtempSync(path.join(os.tmpdir(), "regionctl-property-"));
  const file = path.join(dumpDir, `random-${seed}${single ? "-single" : ""}.yaml`);
  writeFileSync(file, stringify(randomScenarioDocument(seed, { untilSeconds: UNTIL, single })));
  return `REGIONCTL_PROPERTY_SEED=${seed} npx vitest run test/drill/property.test.ts   (or: node bin/regionctl.js drill --scenario ${file} --seed ${seed})`;
}

describe("drill property: random fault schedules", () => {
  it(
    `holds every invariant, and availability within its bound, over ${ONLY === undefined ? SEEDS : 1} seed(s) of overlapping faults, switchovers, failbacks and bad releases`,
    async () => {
      const failures: string[] = [];
      const kinds = new Set<string>();
      for (const seed of seeds()) {
        const scenario = randomScenario(seed, UNTIL);
        for (const e of scenario.events) kinds.add(e.kind);
        const { report } = await runDrill(scenario, { seed });
        const problems = report.invariantViolations.map(
          (v) => `at ${v.atSeconds} s: ${v.rule}: ${v.message}`,
        );
        const bound = availabilityBound(report);
        if (report.availability.requests < bound)
          problems.push(`requests availability ${report.availability.requests} < bound ${bound.toFixed(4)}`);
        if (report.availability.writes > report.availability.requests + 1e-9)
          problems.push(`more writes accepted (${report.availability.writes}) than requests served`);
        if (problems.length > 0)
          failures.push(`seed ${seed}: ${problems.join("; ")}\n  reproduce: ${reproduce(seed, false)}`);
      }
      if (ONLY === undefined) {
        // The generator really covers every kind of fault the property is about.
        for (const k of [
          "deploy",
          "outage",
          "flap",
          "degrade",
          "apiErrors",
          "stackUpdateFailure",
          "replicationBreak",
          "switchover",
          "failback",
          "abort",
          "promote",
        ]) {
          expect(kinds).toContain(k);
        }
      }
      expect(failures).toEqual([]);
    },
    2_000 * SEEDS,
  );

  it(
    `recovers within ${SINGLE_FAULT_RTO_OVER_FLOOR} x the floor from a single fault, over ${ONLY === undefined ? SEEDS : 1} seed(s)`,
    async () => {
      const failures: string[] = [];
      let judged = 0;
      for (const seed of seeds()) {
        const scenario = randomScenario(seed, UNTIL, { single: true });
        const { report } = await runDrill(scenario, { seed });
        for (const i of report.incidents) {
          if (i.floorSeconds === null || i.rtoSeconds === 0) continue;
          judged++;
          if (i.rtoSeconds === null || i.rtoSeconds > SINGLE_FAULT_RTO_OVER_FLOOR * i.floorSeconds) {
            failures.push(
              `seed ${seed}: ${i.kind} ${i.region} at ${i.atSeconds} s: RTO ${i.rtoSeconds ?? "never"} s, floor ${i.floorSeconds} s\n  reproduce: ${reproduce(seed, true)}`,
            );
          }
        }
      }
      if (ONLY === undefined) expect(judged).toBeGreaterThan(SEEDS / 10);
      expect(failures).toEqual([]);
    },
    2_000 * SEEDS,
  );
});

describe("the random schedules' shuffle", () => {
  it("puts every element in every position about equally often (Fisher-Yates, not a sort by coin flips)", () => {
    const rnd = sequence(7);
    const n = 5;
    const trials = 20_000;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let t = 0; t < trials; t++) {
      shuffle([0, 1, 2, 3, 4], rnd).forEach((x, pos) => counts[x][pos]++);
    }
    // Each cell expects trials / n = 4000; 5 standard deviations is about 280.
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(300);
  });
});
