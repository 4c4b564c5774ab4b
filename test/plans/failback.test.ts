import { describe, expect, it } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { failbackTarget, planFailback } from "../../automation/plans/failback";
import { planFailover } from "../../automation/plans/failover";
import { RULES } from "../../automation/plans/failoverSafety";
import { R, afterPatches, cluster, drConfig, drState, flatSteps, view } from "./failoverFixtures";

const config = drConfig(3);

/** The state a failover from us-east-1 to us-west-2 leaves, with its incident recorded. */
function afterFailover(): OperationalState {
  const state = drState(config);
  const d = planFailover({
    config,
    state,
    health: view(config, { [R.use1]: "down" }),
    database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 1 }, [R.euw1]: { lag: 5 } }),
    id: "failover-1",
  });
  if (d.refused) throw new Error(d.reason);
  const s = afterPatches(state, d.plan.steps);
  return {
    ...s,
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
}

const recovered = cluster(R.usw2, { [R.usw2]: {}, [R.use1]: { lag: 0.2 }, [R.euw1]: { lag: 0.5 } });

describe("failback planner", () => {
  it("targets the region the last failover left", () => {
    expect(failbackTarget(afterFailover())).toBe(R.use1);
    expect(failbackTarget(drState(config))).toBeNull();
  });

  it("readmits the old writer to stack management, switches over to it, then syncs the others", () => {
    const state = afterFailover();
    const d = planFailback({ config, state, health: view(config), database: recovered, id: "failback-1" });
    if (d.refused) throw new Error(d.reason);
    expect(d.from).toBe(R.usw2);
    expect(d.to).toBe(R.use1);
    const kinds = d.plan.steps.map((s) => s.kind);
    expect(kinds.slice(0, 2)).toEqual(["patchState", "stackUpdate"]);
    expect(d.plan.steps[0]).toMatchObject({
      patch: { regions: { [R.use1]: { excluded: false, drained: true } } },
    });
    expect(d.plan.steps[1]).toMatchObject({ targets: [R.use1] });
    expect(kinds).toContain("dbSwitchover");
    expect(flatSteps(d.plan.steps).find((s) => s.kind === "dbSwitchover")).toMatchObject({ to: R.use1 });
    const syncs = flatSteps(d.plan.steps)
      .filter((s) => s.kind === "syncRun")
      .map((s) => (s.kind === "syncRun" ? s.region : ""));
    expect(syncs.sort()).toEqual([R.euw1, R.usw2]);
    const after = afterPatches(state, d.plan.steps);
    expect(after.writer).toBe(R.use1);
    expect(Object.values(after.regions).every((rs) => !rs.drained && !rs.excluded)).toBe(true);
  });

  it("waits until the old writer is healthy", () => {
    const r = planFailback({
      config,
      state: afterFailover(),
      health: view(config, { [R.use1]: "down" }),
      database: recovered,
      id: "x",
    });
    expect(r.refused && r.rule).toBe(RULES.targetHealthy);
    const flapping = planFailback({
      config,
      state: afterFailover(),
      health: view(config, { [R.use1]: "flapping" }),
      database: recovered,
      id: "x",
    });
    expect(flapping.refused && flapping.rule).toBe(RULES.targetHealthy);
  });

  it("waits until its cluster is back in the global database and connected", () => {
    const missing = cluster(R.usw2, { [R.usw2]: {}, [R.euw1]: { lag: 0.5 } });
    const resync = cluster(R.usw2, {
      [R.usw2]: {},
      [R.use1]: { status: "pending-resync", lag: 0.1 },
      [R.euw1]: {},
    });
    for (const database of [missing, resync]) {
      const r = planFailback({ config, state: afterFailover(), health: view(config), database, id: "x" });
      expect(r.refused && r.rule).toBe(RULES.memberConnected);
    }
  });

  it("waits until its lag is within the RPO bound", () => {
    const lagging = cluster(R.usw2, { [R.usw2]: {}, [R.use1]: { lag: 25 }, [R.euw1]: {} });
    const r = planFailback({
      config,
      state: afterFailover(),
      health: view(config),
      database: lagging,
      id: "x",
    });
    expect(r.refused && r.rule).toBe(RULES.lagWithinRpo);
  });

  it("has nothing to undo without a failover to the current writer", () => {
    const r = planFailback({
      config,
      state: drState(config),
      health: view(config),
      database: recovered,
      id: "x",
    });
    expect(r.refused && r.rule).toBe(RULES.validTarget);
  });
});
