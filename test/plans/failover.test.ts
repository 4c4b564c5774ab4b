import { describe, expect, it } from "vitest";
import { planFailover, type FailoverDecision, type FailoverInput } from "../../automation/plans/failover";
import { RULES } from "../../automation/plans/failoverSafety";
import type { Refusal, Step } from "../../automation/plans/steps";
import type { GlobalClusterView } from "../../automation/ports";
import { R, afterPatches, cluster, drConfig, drState, flatSteps, view } from "./failoverFixtures";

const config = drConfig(3);
const base = (over: Partial<FailoverInput> = {}): FailoverInput => ({
  config,
  state: drState(config),
  health: view(config, { [R.use1]: "down" }),
  database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 4 }, [R.euw1]: { lag: 2 } }),
  id: "failover-1",
  ...over,
});

function mustPlan(input: FailoverInput): FailoverDecision {
  const result = planFailover(input);
  if (result.refused) throw new Error(`refused: ${result.rule}: ${result.reason}`);
  return result;
}

function mustRefuse(input: FailoverInput): Refusal {
  const result = planFailover(input);
  if (!result.refused) throw new Error(`planned a failover to ${result.to}`);
  return result;
}

describe("failover planner: target choice", () => {
  it("picks the healthy secondary with the least replication lag", () => {
    const d = mustPlan(base());
    expect(d.to).toBe(R.euw1);
    expect(d.lagSeconds).toBe(2);
    const other = mustPlan(
      base({ database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.3 }, [R.euw1]: { lag: 2 } }) }),
    );
    expect(other.to).toBe(R.usw2);
  });

  it.each([
    { what: "a degraded region with the least lag", rates: { [R.euw1]: 0.35, [R.usw2]: 0 }, to: R.usw2 },
    { what: "a region just above the bound", rates: { [R.euw1]: 0.1, [R.usw2]: 0.02 }, to: R.usw2 },
    { what: "nothing: both within the bound", rates: { [R.euw1]: 0.03, [R.usw2]: 0 }, to: R.euw1 },
    {
      what: "nothing: an unmeasured rate is not degraded",
      rates: { [R.euw1]: null, [R.usw2]: 0 },
      to: R.euw1,
    },
    { what: "nothing when every candidate is degraded", rates: { [R.euw1]: 0.4, [R.usw2]: 0.5 }, to: R.euw1 },
  ])("passes over $what by measured health", ({ rates, to }) => {
    const healthy = view(config, { [R.use1]: "down" });
    const health = Object.fromEntries(
      Object.entries(healthy).map(([r, h]) => [
        r,
        { ...h, probeErrorRate: (rates as Record<string, number | null>)[r] ?? null },
      ]),
    );
    // eu-west-1 has the least lag (2 s against 4 s): only measured health may pass it over.
    const d = mustPlan(base({ health }));
    expect(d.to).toBe(to);
    if (to === R.usw2) expect(d.rejected.join("; ")).toMatch(/eu-west-1: degraded/);
  });

  it("breaks a lag tie by priority, then by config order", () => {
    const tie = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 1 }, [R.euw1]: { lag: 1 } });
    expect(mustPlan(base({ database: tie })).to).toBe(R.usw2);
    const prioritised = drConfig(3, {
      regions: drConfig(3).regions.map((r) => ({ ...r, priority: r.region === R.euw1 ? 1 : 5 })),
    });
    expect(mustPlan(base({ config: prioritised, state: drState(prioritised), database: tie })).to).toBe(
      R.euw1,
    );
  });

  it("skips unhealthy, flapping, excluded, re-syncing and missing members, and says why", () => {
    const c5 = drConfig(5);
    const d = mustPlan({
      config: c5,
      state: drState(c5, {
        regions: { "eu-central-1": { excluded: true, drained: true, note: "failed: earlier" } },
      }),
      health: view(c5, { [R.use1]: "down", [R.usw2]: "flapping" }),
      database: cluster(R.use1, {
        [R.use1]: {},
        [R.usw2]: { lag: 0.1 },
        [R.euw1]: { lag: 0.2, status: "pending-resync" },
        "eu-central-1": { lag: 0.1 },
        "ap-southeast-2": { lag: 9 },
      }),
      id: "f",
    });
    expect(d.to).toBe("ap-southeast-2");
    expect(d.rejected.join("\n")).toMatch(/us-west-2: flapping/);
    expect(d.rejected.join("\n")).toMatch(/eu-west-1: its cluster is pending-resync/);
    expect(d.rejected.join("\n")).toMatch(/eu-central-1: excluded/);
  });

  it("accepts a person's explicit target when it passes the rules", () => {
    expect(mustPlan(base({ to: R.usw2 })).to).toBe(R.usw2);
  });
});

describe("failover planner: plan shape", () => {
  it("runs the database promotion and the traffic move in parallel, then syncs the other secondaries", () => {
    const c4 = drConfig(4);
    const d = mustPlan({
      ...base(),
      config: c4,
      state: drState(c4),
      health: view(c4, { [R.use1]: "down" }),
      database: cluster(R.use1, {
        [R.use1]: {},
        [R.usw2]: { lag: 3 },
        [R.euw1]: { lag: 1 },
        [R.euc1]: { lag: 2 },
      }),
    });
    expect(d.to).toBe(R.euw1);
    const [move, render, sync] = d.plan.steps;
    expect(move.kind).toBe("parallel");
    if (move.kind !== "parallel") throw new Error("not parallel");
    const [db, traffic] = move.branches;
    // The state names the new writer only after the database confirms it.
    expect(db.map((s) => s.kind)).toEqual(["dbFailover", "awaitWriter", "patchState"]);
    expect(db[0]).toMatchObject({ kind: "dbFailover", to: R.euw1, detachFallback: true });
    expect(db[1]).toMatchObject({ kind: "awaitWriter", region: R.euw1 });
    expect(db[2]).toEqual(expect.objectContaining({ kind: "patchState", patch: { writer: R.euw1 } }));
    // Meanwhile traffic leaves the failed region, whose resources no update touches.
    expect(traffic.map((s) => s.kind)).toEqual(["patchState", "stackUpdate"]);
    expect(traffic[0]).toMatchObject({
      kind: "patchState",
      patch: { regions: { [R.use1]: { drained: true, excluded: true }, [R.euw1]: { drained: false } } },
    });
    expect(traffic[0].kind === "patchState" && traffic[0].patch.writer).toBeUndefined();
    expect(traffic[1]).toMatchObject({ kind: "stackUpdate", excludes: [R.use1] });
    expect((traffic[1] as Extract<Step, { kind: "stackUpdate" }>).targets).toBeUndefined();
    // Then the stack renders the new writer; recovery updates retry a failed attempt.
    expect(render).toMatchObject({ kind: "stackUpdate", excludes: [R.use1] });
    for (const u of [traffic[1], render]) expect(u).toMatchObject({ attempts: expect.any(Number) });
    expect((render as Extract<Step, { kind: "stackUpdate" }>).attempts).toBeGreaterThan(1);
    expect(sync.kind).toBe("parallel");
    const syncs = flatSteps([sync]).filter((s) => s.kind === "syncRun");
    expect(syncs.map((s) => (s.kind === "syncRun" ? s.region : "")).sort()).toEqual([R.euc1, R.usw2]);
    expect(d.plan.compensation).toEqual([]);
    expect(d.plan.kind).toBe("failover");
  });

  it("leaves a second region that is failing now out of every stack update and the syncs", () => {
    const c4 = drConfig(4);
    const d = mustPlan({
      config: c4,
      state: drState(c4),
      health: view(c4, { [R.use1]: "down", [R.euc1]: "down" }),
      database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.5 }, [R.euw1]: { lag: 2 }, [R.euc1]: {} }),
      id: "failover-2",
    });
    expect(d.to).toBe(R.usw2);
    const steps = flatSteps(d.plan.steps);
    for (const update of steps.filter((s) => s.kind === "stackUpdate")) {
      expect(update).toMatchObject({ excludes: [R.euc1, R.use1] });
    }
    const syncs = steps.flatMap((s) => (s.kind === "syncRun" ? [s.region] : []));
    expect(syncs).toEqual([R.euw1]);
  });

  it("leaves regions that are already excluded out of the stack update and the syncs", () => {
    const state = drState(config, {
      regions: { [R.usw2]: { excluded: true, drained: true, note: "failed: earlier" } },
    });
    const d = mustPlan(base({ state }));
    const steps = flatSteps(d.plan.steps);
    const update = steps.find((s) => s.kind === "stackUpdate");
    expect(update).toMatchObject({ excludes: [R.use1, R.usw2] });
    expect(steps.filter((s) => s.kind === "syncRun")).toEqual([]);
  });

  it("can be told not to fall back to detach-and-promote", () => {
    const d = mustPlan(base({ detachFallback: false }));
    expect(flatSteps(d.plan.steps).find((s) => s.kind === "dbFailover")).toMatchObject({
      detachFallback: false,
    });
  });
});

describe("failover planner: safety rules", () => {
  it("never fails over from a healthy writer", () => {
    expect(mustRefuse(base({ health: view(config) })).rule).toBe(RULES.failoverNeedsFailedWriter);
  });

  it("never fails over to an unhealthy region, nor to a flapping one while a healthy one is eligible", () => {
    const r = mustRefuse(
      base({ health: view(config, { [R.use1]: "down", [R.usw2]: "down", [R.euw1]: "down" }) }),
    );
    expect(r.rule).toBe(RULES.targetHealthy);
    expect(r.reason).toMatch(/us-west-2: unhealthy/);
    expect(r.reason).toMatch(/eu-west-1: unhealthy/);
    const healthyToo = mustPlan(base({ health: view(config, { [R.use1]: "down", [R.usw2]: "flapping" }) }));
    expect(healthyToo.to).toBe(R.euw1);
    expect(healthyToo.rejected.join("; ")).toMatch(/us-west-2: flapping/);
    expect(
      mustRefuse(base({ to: R.usw2, health: view(config, { [R.use1]: "down", [R.usw2]: "down" }) })).rule,
    ).toBe(RULES.targetHealthy);
  });

  it("with no healthy region eligible, promotes a flapping one that answers now, as degraded", () => {
    const d = mustPlan(
      base({ health: view(config, { [R.use1]: "down", [R.usw2]: "down", [R.euw1]: "flapping" }) }),
    );
    expect(d.to).toBe(R.euw1);
    expect(d.rejected.join("; ")).toMatch(/us-west-2: unhealthy/);
    // The flapping region must still pass every other rule.
    const lagging = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 0.5 }, [R.euw1]: { lag: 90 } });
    const r = mustRefuse(
      base({
        database: lagging,
        health: view(config, { [R.use1]: "down", [R.usw2]: "down", [R.euw1]: "flapping" }),
      }),
    );
    expect(r.reason).toMatch(/eu-west-1: replication lag/);
  });

  it("with no healthy region eligible, promotes one failing only partly (a degradation), not one down outright", () => {
    const partly = (region: string) => ({
      [region]: { healthy: false, heldOut: false, partlyFailing: true },
    });
    const health = { ...view(config, { [R.use1]: "down", [R.usw2]: "down" }), ...partly(R.euw1) };
    const d = mustPlan(base({ health }));
    expect(d.to).toBe(R.euw1);
    // A healthy region still comes first.
    expect(mustPlan(base({ health: { ...view(config, { [R.use1]: "down" }), ...partly(R.euw1) } })).to).toBe(
      R.usw2,
    );
    // Unhealthy and not answering: never a target.
    const dark = { ...health, [R.euw1]: { healthy: false, heldOut: false, partlyFailing: false } };
    expect(mustRefuse(base({ health: dark })).rule).toBe(RULES.targetHealthy);
  });

  it("with no healthy region eligible, brings back a region the controller left out of stack updates", () => {
    const state = drState(config, {
      regions: { [R.euw1]: { excluded: true, note: "failed: writer moved" } },
    });
    const health = view(config, { [R.use1]: "down", [R.usw2]: "down" });
    const d = mustPlan(base({ state, health }));
    expect(d.to).toBe(R.euw1);
    const after = afterPatches(state, d.plan.steps);
    expect(after.regions[R.euw1].excluded).toBe(false);
    expect(after.writer).toBe(R.euw1);
    // Its stack is rendered again (the version the state has), not left as it was.
    for (const step of flatSteps(d.plan.steps)) {
      if (step.kind === "stackUpdate") expect(step.excludes ?? []).not.toContain(R.euw1);
    }
    // While a healthy region is eligible, the excluded one is not chosen.
    expect(mustPlan(base({ state, health: view(config, { [R.use1]: "down" }) })).to).toBe(R.usw2);
  });

  it("never fails over to a region lagging beyond failover.maxLagSeconds", () => {
    const lagging = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 61 }, [R.euw1]: { lag: 75 } });
    const r = mustRefuse(base({ database: lagging }));
    expect(r.rule).toBe(RULES.lagWithinBound);
    expect(r.reason).toMatch(/61 s exceeds 60 s/);
    const strict = drConfig(3, { failover: { maxLagSeconds: 1.5 } });
    expect(
      mustPlan(
        base({
          config: strict,
          state: drState(strict),
          database: cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: 1.6 }, [R.euw1]: { lag: 1.5 } }),
        }),
      ).to,
    ).toBe(R.euw1);
  });

  it("refuses when the lag cannot be known, unless a person accepts that", () => {
    const unknown = cluster(R.use1, { [R.use1]: {}, [R.usw2]: { lag: null }, [R.euw1]: { lag: null } });
    expect(mustRefuse(base({ database: unknown })).rule).toBe(RULES.lagWithinBound);
    expect(mustRefuse(base({ database: null })).rule).toBe(RULES.lagWithinBound);
    const accepted = mustPlan(base({ database: null, to: R.euw1, allowUnknownLag: true }));
    expect(accepted.to).toBe(R.euw1);
    expect(accepted.lagSeconds).toBeNull();
  });

  it("never makes two writers: a writer the database already moved is the only target", () => {
    const moved = cluster(R.usw2, { [R.use1]: {}, [R.usw2]: {}, [R.euw1]: { lag: 0.1 } });
    expect(mustPlan(base({ database: moved })).to).toBe(R.usw2);
    const r = mustRefuse(base({ database: moved, to: R.euw1 }));
    expect(r.rule).toBe(RULES.neverTwoWriters);
  });

  it("never trusts a writer only a dead region reports: a target that died mid-promotion is passed over", () => {
    // us-west-2 took the writer, then died; the database (described from a live region) still names it.
    const stranded = cluster(R.usw2, { [R.use1]: {}, [R.usw2]: {}, [R.euw1]: { lag: 0.5 } });
    const d = mustPlan(
      base({ database: stranded, health: view(config, { [R.use1]: "down", [R.usw2]: "down" }) }),
    );
    expect(d.to).toBe(R.euw1);
    // While that writer is alive, it stays the only target (no second writer).
    expect(mustPlan(base({ database: stranded })).to).toBe(R.usw2);
  });

  it("one operation at a time", () => {
    const state = {
      ...drState(config),
      operation: {
        id: "deploy-1",
        kind: "deploy" as const,
        plan: {},
        before: {},
        writerBefore: R.use1,
        phase: "running" as const,
        cursor: 0,
        steps: [],
        startedAt: new Date(0).toISOString(),
        finishedAt: null,
        reason: null,
      },
    };
    expect(mustRefuse(base({ state })).rule).toBe(RULES.oneOperation);
  });

  it("refuses a target that is not a secondary of this environment", () => {
    expect(mustRefuse(base({ to: "ap-south-1" })).rule).toBe(RULES.validTarget);
    expect(mustRefuse(base({ to: R.use1 })).rule).toBe(RULES.validTarget);
  });
});

describe("failover planner: every combination keeps the rules", () => {
  type Health = "up" | "down" | "flapping";
  type Member = "connected" | "pending-resync" | "missing";
  const healths: Health[] = ["up", "down", "flapping"];
  const members: Member[] = ["connected", "pending-resync", "missing"];
  const lags: (number | null)[] = [0.5, 30, 90, null];
  const secondaries = [R.usw2, R.euw1] as const;
  const max = config.failover.maxLagSeconds;

  interface Case {
    health: Health;
    member: Member;
    lag: number | null;
    drained: boolean;
  }
  const cases: Case[] = [];
  for (const health of healths)
    for (const member of members)
      for (const lag of lags)
        for (const drained of [false, true]) cases.push({ health, member, lag, drained });

  it(`plans only what the rules allow, over ${cases.length ** 2} region combinations`, () => {
    let planned = 0;
    let refused = 0;
    for (const a of cases) {
      for (const b of cases) {
        const spec = { [R.usw2]: a, [R.euw1]: b };
        const db: GlobalClusterView = cluster(
          R.use1,
          Object.fromEntries([
            [R.use1, {}],
            ...secondaries
              .filter((r) => spec[r].member !== "missing")
              .map((r) => [r, { lag: spec[r].lag, status: spec[r].member }]),
          ]),
        );
        const health = view(config, {
          [R.use1]: "down",
          ...Object.fromEntries(
            secondaries
              .filter((r) => spec[r].health !== "up")
              .map((r) => [r, spec[r].health as "down" | "flapping"]),
          ),
        });
        const state = drState(config, {
          regions: Object.fromEntries(secondaries.map((r) => [r, { drained: spec[r].drained }])),
        });
        const result = planFailover({ config, state, health, database: db, id: "p" });
        // The oracle: which regions the rules allow, computed independently.
        // A flapping region is allowed only when no healthy one is.
        const passes = (health: Health) =>
          secondaries.filter((r) => {
            const s = spec[r];
            return (
              s.health === health &&
              s.member !== "missing" &&
              s.member !== "pending-resync" &&
              s.lag !== null &&
              s.lag <= max
            );
          });
        const healthy = passes("up");
        const allowed = healthy.length > 0 ? healthy : passes("flapping");
        if (result.refused) {
          refused++;
          expect(allowed).toEqual([]);
          continue;
        }
        planned++;
        expect(allowed).toContain(result.to);
        const best = Math.min(...allowed.map((r) => spec[r].lag as number));
        expect(spec[result.to as (typeof secondaries)[number]].lag).toBe(best);
        const after = afterPatches(state, result.plan.steps);
        expect(after.writer).toBe(result.to);
        expect(Object.values(after.regions).filter((rs) => !rs.drained).length).toBeGreaterThan(0);
        expect(after.regions[R.use1]).toMatchObject({ drained: true, excluded: true });
        expect(after.regions[result.to].drained).toBe(false);
        for (const s of flatSteps(result.plan.steps)) {
          if (s.kind === "stackUpdate") expect(s.excludes).toContain(R.use1);
          if (s.kind === "syncRun") expect([R.use1, result.to]).not.toContain(s.region);
        }
      }
    }
    expect(planned).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
