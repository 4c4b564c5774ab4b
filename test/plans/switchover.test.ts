import { describe, expect, it } from "vitest";
import { RULES } from "../../automation/plans/failoverSafety";
import type { Refusal } from "../../automation/plans/steps";
import {
  type SwitchoverDecision,
  type SwitchoverInput,
  planSwitchover,
  switchoverLagBound,
} from "../../automation/plans/switchover";
import { applyStatePatch } from "../../automation/plans/statePatch";
import { R, afterPatches, cluster, drConfig, drState, view } from "./failoverFixtures";

const config = drConfig(3);
const input = (over: Partial<SwitchoverInput> = {}): SwitchoverInput => ({
  config,
  state: drState(config),
  health: view(config),
  database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.4 }, [R.euw1]: { lag: 3 } }),
  to: R.usw2,
  id: "switchover-1",
  ...over,
});

function mustPlan(i: SwitchoverInput): SwitchoverDecision {
  const r = planSwitchover(i);
  if (r.refused) throw new Error(`refused: ${r.rule}: ${r.reason}`);
  return r;
}
function mustRefuse(i: SwitchoverInput): Refusal {
  const r = planSwitchover(i);
  if (!r.refused) throw new Error("planned");
  return r;
}

describe("switchover planner", () => {
  it("drains, switches over, confirms the writer, records it and reconciles the stack", () => {
    const d = mustPlan(input());
    expect(d.plan.steps.map((s) => s.kind)).toEqual([
      "patchState",
      "stackUpdate",
      "wait",
      "dbSwitchover",
      "patchState",
      "awaitWriter",
      "patchState",
      "stackUpdate",
    ]);
    expect(d.plan.steps[0]).toMatchObject({ patch: { regions: { [R.use1]: { drained: true } } } });
    expect(d.plan.steps[2]).toMatchObject({ kind: "wait", seconds: config.dns.ttl });
    expect(d.plan.steps[3]).toMatchObject({ kind: "dbSwitchover", to: R.usw2, maxLagSeconds: 20 });
    // Once the database moves, the state names the target: a target that dies now is a failed
    // writer the watcher fails over from, not a healthy old writer that hides a dead one.
    expect(d.plan.steps[4]).toMatchObject({ kind: "patchState", patch: { writer: R.usw2 } });
    expect(d.plan.steps[5]).toMatchObject({ kind: "awaitWriter", region: R.usw2 });
    const after = afterPatches(drState(config), d.plan.steps);
    expect(after.writer).toBe(R.usw2);
    expect(Object.values(after.regions).every((rs) => !rs.drained)).toBe(true);
    expect(d.plan.kind).toBe("switchover");
  });

  it("keeps at least one region serving at every step", () => {
    const twoRegions = drConfig(2);
    const d = mustPlan({
      ...input(),
      config: twoRegions,
      state: drState(twoRegions),
      health: view(twoRegions),
      database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0 } }),
    });
    let s = drState(twoRegions);
    for (const step of d.plan.steps) {
      if (step.kind === "patchState") s = applyStatePatch(s, step.patch);
      expect(Object.values(s.regions).some((rs) => !rs.drained)).toBe(true);
    }
  });

  it("compensation puts traffic back and never touches the writer", () => {
    const d = mustPlan(input());
    expect(d.plan.compensation.map((s) => s.kind)).toEqual(["restore", "stackUpdate"]);
    expect(d.plan.compensation[0]).toMatchObject({ regions: [R.use1, R.usw2] });
  });

  it("uses database.rpoSeconds as the lag bound, 20 s when unset", () => {
    expect(switchoverLagBound(config)).toBe(20);
    const rpo = drConfig(3, {
      database: {
        engine: "aurora-postgresql",
        engineVersion: "16.4",
        instanceClass: "db.r6g.large",
        rpoSeconds: 45,
      },
    });
    expect(switchoverLagBound(rpo)).toBe(45);
    const lag30 = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 30 } });
    expect(mustRefuse(input({ database: lag30 })).rule).toBe(RULES.lagWithinRpo);
    expect(mustPlan(input({ config: rpo, state: drState(rpo), database: lag30 })).to).toBe(R.usw2);
  });

  it("refuses unknown lag and members that are not connected", () => {
    expect(
      mustRefuse(input({ database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: null } }) })).rule,
    ).toBe(RULES.lagWithinRpo);
    expect(mustRefuse(input({ database: null })).rule).toBe(RULES.lagWithinRpo);
    expect(
      mustRefuse(
        input({ database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { status: "pending-resync" } }) }),
      ).rule,
    ).toBe(RULES.memberConnected);
    expect(mustRefuse(input({ database: cluster(R.use1, { [R.use1]: {}, [R.euw1]: {} }) })).rule).toBe(
      RULES.memberConnected,
    );
  });

  it("needs a healthy writer: an unplanned move is a failover", () => {
    const r = mustRefuse(input({ health: view(config, { [R.use1]: "down" }) }));
    expect(r.rule).toBe(RULES.switchoverNeedsHealthyWriter);
    expect(r.reason).toMatch(/regionctl failover --to us-west-2/);
  });

  it("never switches over to an unhealthy or flapping region", () => {
    expect(mustRefuse(input({ health: view(config, { [R.usw2]: "down" }) })).rule).toBe(RULES.targetHealthy);
    expect(mustRefuse(input({ health: view(config, { [R.usw2]: "flapping" }) })).rule).toBe(
      RULES.targetHealthy,
    );
  });

  it("no promotion while another serving region is failing", () => {
    const r = mustRefuse(input({ health: view(config, { [R.euw1]: "down" }) }));
    expect(r.rule).toBe(RULES.noPromotionWhileFailing);
    expect(r.reason).toMatch(/eu-west-1/);
    // A region already out of traffic does not block it.
    const drained = drState(config, {
      regions: { [R.euw1]: { drained: true, excluded: true, note: "failed: x" } },
    });
    expect(mustPlan(input({ state: drained, health: view(config, { [R.euw1]: "down" }) })).to).toBe(R.usw2);
  });

  it("never makes two writers: the database's writer must be the state's", () => {
    const elsewhere = cluster(R.euw1, { [R.use1]: {}, [R.usw2]: {}, [R.euw1]: {} });
    expect(mustRefuse(input({ database: elsewhere })).rule).toBe(RULES.neverTwoWriters);
    const moving = { ...cluster(null, { [R.use1]: {}, [R.usw2]: {} }), status: "switching-over" };
    expect(mustRefuse(input({ database: moving })).rule).toBe(RULES.neverTwoWriters);
  });

  it("refuses the writer itself and unknown regions", () => {
    expect(mustRefuse(input({ to: R.use1 })).rule).toBe(RULES.validTarget);
    expect(mustRefuse(input({ to: "sa-east-1" })).rule).toBe(RULES.validTarget);
  });
});
