import { describe, expect, it } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { planFailback } from "../../automation/plans/failback";
import { planFailover } from "../../automation/plans/failover";
import { planReadmit } from "../../automation/plans/failoverTraffic";
import {
  RELAXED_RPO_GUARD_SECONDS,
  type RpoGuardDecision,
  decideRpoGuard,
} from "../../automation/plans/rpoGuard";
import type { Step } from "../../automation/plans/steps";
import { R, afterPatches, cluster, drConfig, drState, flatSteps, view } from "./failoverFixtures";

const withGuard = (regions: number, rpoSeconds = 20) => {
  const base = drConfig(regions);
  return drConfig(regions, { database: { ...base.database, rpoSeconds } });
};
const two = withGuard(2);
const three = withGuard(3);

describe("managed-RPO guard decision", () => {
  const cases: {
    what: string;
    config: ReturnType<typeof drConfig>;
    writer: string;
    reachable: string[];
    relaxed: string[];
    expected: Pick<RpoGuardDecision, "action"> & { region?: string; regions?: string[]; seconds?: number };
  }[] = [
    {
      what: "two regions, the other one down: relax the new writer",
      config: two,
      writer: R.usw2,
      reachable: [R.usw2],
      relaxed: [],
      expected: { action: "relax", region: R.usw2, seconds: RELAXED_RPO_GUARD_SECONDS },
    },
    {
      what: "three regions, one secondary left: keep the guard",
      config: three,
      writer: R.usw2,
      reachable: [R.usw2, R.euw1],
      relaxed: [],
      expected: { action: "none" },
    },
    {
      what: "three regions, both others down: relax",
      config: three,
      writer: R.euw1,
      reachable: [R.euw1],
      relaxed: [],
      expected: { action: "relax", region: R.euw1 },
    },
    {
      what: "already relaxed and still alone: nothing to do",
      config: two,
      writer: R.usw2,
      reachable: [R.usw2],
      relaxed: [R.usw2],
      expected: { action: "none" },
    },
    {
      what: "a secondary is back: restore the relaxed writer",
      config: two,
      writer: R.usw2,
      reachable: [R.usw2, R.use1],
      relaxed: [R.usw2],
      expected: { action: "restore", regions: [R.usw2], seconds: 20 },
    },
    {
      what: "failed back: restore the old writer, now a reachable secondary",
      config: two,
      writer: R.use1,
      reachable: [R.use1, R.usw2],
      relaxed: [R.usw2],
      expected: { action: "restore", regions: [R.usw2], seconds: 20 },
    },
    {
      what: "a relaxed region still out is left for later",
      config: three,
      writer: R.use1,
      reachable: [R.use1, R.euw1],
      relaxed: [R.usw2],
      expected: { action: "none" },
    },
    {
      what: "no guard configured: never relax",
      config: drConfig(2),
      writer: R.usw2,
      reachable: [R.usw2],
      relaxed: [],
      expected: { action: "none" },
    },
    {
      what: "aurora-mysql has no guard",
      config: drConfig(2, {
        database: {
          engine: "aurora-mysql",
          engineVersion: "8.0.mysql_aurora.3.05.2",
          instanceClass: "db.r6g.large",
        },
      }),
      writer: R.usw2,
      reachable: [R.usw2],
      relaxed: [],
      expected: { action: "none" },
    },
  ];
  it.each(cases)("$what", ({ config, writer, reachable, relaxed, expected }) => {
    expect(decideRpoGuard({ config, writer, reachable, relaxed })).toMatchObject(expected);
  });
});

const guardSteps = (steps: readonly Step[]) =>
  flatSteps(steps).filter((s): s is Extract<Step, { kind: "rpoGuard" }> => s.kind === "rpoGuard");

describe("failover and failback plans with a managed-RPO guard", () => {
  function failoverOf(config: ReturnType<typeof drConfig>) {
    const members = Object.fromEntries(config.regions.map((r) => [r.region, { lag: 1 }]));
    const d = planFailover({
      config,
      state: drState(config),
      health: view(config, { [R.use1]: "down" }),
      database: cluster(R.use1, members),
      id: "failover-1",
    });
    if (d.refused) throw new Error(d.reason);
    return d;
  }

  it("two regions: relaxes the new writer's guard in a branch beside the promotion", () => {
    const d = failoverOf(two);
    const move = d.plan.steps[0];
    expect(move.kind).toBe("parallel");
    if (move.kind !== "parallel") return;
    expect(move.branches).toHaveLength(3);
    expect(move.branches[2]).toEqual([
      expect.objectContaining({
        kind: "rpoGuard",
        region: R.usw2,
        seconds: RELAXED_RPO_GUARD_SECONDS,
        relaxed: true,
      }),
    ]);
  });

  it("three regions: the remaining secondary keeps the guard meaningful, so nothing is relaxed", () => {
    expect(guardSteps(failoverOf(three).plan.steps)).toEqual([]);
  });

  it("readmitting the old writer's region as a connected secondary restores the guard, after the traffic move", () => {
    const d = failoverOf(two);
    const after: OperationalState = {
      ...afterPatches(drState(two), d.plan.steps),
      rpoGuardRelaxed: [R.usw2],
    };
    const database = cluster(R.usw2, { [R.usw2]: {}, [R.use1]: { lag: 0.2 } });
    const plan = planReadmit(two, after, view(two), database, R.use1, "readmit-1");
    if ("refused" in plan) throw new Error(plan.reason);
    expect(plan.steps.map((s) => s.id)).toEqual([
      "readmit/state",
      "readmit/stack",
      `readmit/rpo-guard/${R.usw2}`,
    ]);
    expect(guardSteps(plan.steps)).toEqual([
      expect.objectContaining({ region: R.usw2, seconds: 20, relaxed: false }),
    ]);
    // Nothing relaxed: nothing to restore.
    const plain = planReadmit(
      two,
      { ...after, rpoGuardRelaxed: undefined },
      view(two),
      database,
      R.use1,
      "readmit-2",
    );
    if ("refused" in plain) throw new Error(plain.reason);
    expect(guardSteps(plain.steps)).toEqual([]);
  });

  it("failback restores the configured guard on the region that was relaxed", () => {
    const d = failoverOf(two);
    const after: OperationalState = {
      ...afterPatches(drState(two), d.plan.steps),
      rpoGuardRelaxed: [R.usw2],
      incidents: [
        {
          kind: "failover",
          from: R.use1,
          to: R.usw2,
          faultAt: new Date(0).toISOString(),
          recoveredAt: new Date(1).toISOString(),
          rpoSeconds: 1,
          rtoSeconds: 100,
        },
      ],
    };
    const back = planFailback({
      config: two,
      state: after,
      health: view(two),
      database: cluster(R.usw2, { [R.usw2]: {}, [R.use1]: { lag: 0.2 } }),
      id: "failback-1",
    });
    if (back.refused) throw new Error(back.reason);
    const restore = guardSteps(back.plan.steps);
    expect(restore).toEqual([expect.objectContaining({ region: R.usw2, seconds: 20, relaxed: false })]);
    // After the writer is back, not before.
    const ids = flatSteps(back.plan.steps).map((s) => s.id);
    expect(ids.indexOf(restore[0].id)).toBeGreaterThan(ids.findIndex((id) => id.includes("await-writer")));
  });
});
