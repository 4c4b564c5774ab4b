import { describe, expect, it } from "vitest";
import { planFailover, type FailoverDecision } from "../../automation/plans/failover";
import { planDrain, planHoldOut, planReadmit } from "../../automation/plans/failoverTraffic";
import { planSwitchover } from "../../automation/plans/switchover";
import { controlsFor } from "../../automation/plans/trafficControl";
import type { Plan, Refusal, Step } from "../../automation/plans/steps";
import { R, cluster, drConfig, drState, flatSteps, view } from "./failoverFixtures";

const arc = drConfig(3, {
  dns: { zoneId: "Z0123456789ABCDEFGHIJ", name: "app.test.example.com", control: "arc" },
});
const hc = drConfig(3);
const db = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 4 }, [R.euw1]: { lag: 2 } });

function failover(config = arc): FailoverDecision {
  const result = planFailover({
    config,
    state: drState(config),
    health: view(config, { [R.use1]: "down" }),
    database: db,
    id: "failover-1",
  });
  if (result.refused) throw new Error(result.reason);
  return result;
}

function mustPlan(p: Plan | Refusal | { refused: false; plan: Plan }): Plan {
  if ("refused" in p && p.refused) throw new Error(p.reason);
  return "plan" in p ? p.plan : (p as Plan);
}

const kinds = (steps: readonly Step[]) => steps.map((s) => `${s.id}:${s.kind}`);

describe("routing controls follow the state", () => {
  it.each([
    { what: "every region serving", drained: [], on: [R.euw1, R.use1, R.usw2], off: [] },
    { what: "one drained", drained: [R.use1], on: [R.euw1, R.usw2], off: [R.use1] },
    { what: "two drained", drained: [R.use1, R.euw1], on: [R.usw2], off: [R.euw1, R.use1] },
  ])("$what", ({ drained, on, off }) => {
    const state = drState(arc, {
      regions: Object.fromEntries(drained.map((r) => [r, { drained: true }])),
    });
    expect(controlsFor(state)).toEqual({ on, off });
  });
});

describe("failover with dns.control: arc", () => {
  it("moves traffic by a routing-control flip beside the promotion, with no stack update in front of either", () => {
    const d = failover();
    const move = d.plan.steps[0];
    if (move.kind !== "parallel") throw new Error("first step is not parallel");
    const [dbBranch, trafficBranch] = move.branches;
    expect(dbBranch[0].kind).toBe("dbFailover");
    expect(kinds(trafficBranch)).toEqual(["failover/state:patchState", "failover/traffic:trafficControl"]);
    expect(trafficBranch[1].description).toMatch(/on eu-west-1, us-west-2, off us-east-1/);
    expect(flatSteps([move]).some((s) => s.kind === "stackUpdate")).toBe(false);
  });

  it("renders the result in a stack update after the move, deferred when it fails", () => {
    const steps = failover().plan.steps;
    expect(steps[1]).toMatchObject({ id: "failover/stack", kind: "stackUpdate", deferOnFailure: true });
  });

  it("keeps the health-checked move as a stack update, and flips nothing", () => {
    const d = failover(hc);
    const all = flatSteps(d.plan.steps);
    expect(all.some((s) => s.kind === "trafficControl")).toBe(false);
    expect(all.find((s) => s.id === "failover/traffic")).toMatchObject({
      kind: "stackUpdate",
      deferOnFailure: true,
    });
    // The render after the move is deferred in either mode: the move's outcome stands.
    expect(all.find((s) => s.id === "failover/stack")).toMatchObject({ deferOnFailure: true });
  });
});

describe("planned moves and traffic changes with dns.control: arc", () => {
  const health = view(arc);
  const connected = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.2 }, [R.euw1]: { lag: 0.2 } });

  it("switchover: flips the old writer off instead of a drain update, on again after the move; the undo flips back", () => {
    const plan = mustPlan(
      planSwitchover({
        config: arc,
        state: drState(arc),
        health,
        database: connected,
        to: R.usw2,
        id: "sw-1",
      }),
    );
    expect(kinds(plan.steps)).toEqual([
      "switchover/drain:patchState",
      "switchover/drain-traffic:trafficControl",
      "switchover/dns-ttl:wait",
      "switchover/database:dbSwitchover",
      "switchover/writer-moving:patchState",
      "switchover/await-writer:awaitWriter",
      "switchover/state:patchState",
      "switchover/traffic:trafficControl",
      "switchover/stack:stackUpdate",
    ]);
    expect(plan.steps[1].description).toMatch(/off us-east-1/);
    expect(plan.steps[7].description).toMatch(/on eu-west-1, us-east-1, us-west-2/);
    expect(kinds(plan.compensation)).toEqual([
      "switchover/undo:restore",
      "switchover/undo-traffic:trafficControl",
      "switchover/undo-stack:stackUpdate",
    ]);
  });

  it("switchover with health checks has no flip", () => {
    const connectedHc = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.2 }, [R.euw1]: { lag: 0.2 } });
    const plan = mustPlan(
      planSwitchover({
        config: hc,
        state: drState(hc),
        health: view(hc),
        database: connectedHc,
        to: R.usw2,
        id: "sw-1",
      }),
    );
    expect([...plan.steps, ...plan.compensation].some((s) => s.kind === "trafficControl")).toBe(false);
  });

  it("drain and hold-out flip before their stack update, which is deferred when it fails", () => {
    for (const plan of [
      mustPlan(planDrain(arc, drState(arc), R.euw1, 0, "drain-1")),
      mustPlan(planHoldOut(arc, drState(arc), R.euw1, 60_000, "holdout-1")),
    ]) {
      expect(plan.steps.map((s) => s.kind)).toEqual(["patchState", "trafficControl", "stackUpdate"]);
      expect(plan.steps[1].description).toMatch(/off eu-west-1/);
      expect(plan.steps[2]).toMatchObject({ deferOnFailure: true });
    }
    const hcPlan = mustPlan(planDrain(hc, drState(hc), R.euw1, 0, "drain-1"));
    expect(hcPlan.steps.map((s) => s.kind)).toEqual(["patchState", "stackUpdate"]);
    expect(hcPlan.steps[1]).not.toHaveProperty("deferOnFailure");
  });

  it("readmission turns the region's control on only after the update that brings it up to date", () => {
    const state = drState(arc, {
      regions: { [R.euw1]: { drained: true, excluded: true, note: "failed: x" } },
    });
    const plan = mustPlan(planReadmit(arc, state, health, connected, R.euw1, "readmit-1"));
    expect(kinds(plan.steps).slice(0, 3)).toEqual([
      "readmit/state:patchState",
      "readmit/stack:stackUpdate",
      "readmit/traffic:trafficControl",
    ]);
    expect(plan.steps[2].description).toMatch(/on eu-west-1, us-east-1, us-west-2/);
  });
});
