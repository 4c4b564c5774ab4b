import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import type { Plan } from "../../automation/plans/steps";
import { harness } from "./harness";

const plan = (id: string, region: string, seconds: number, relaxed: boolean): Plan => ({
  id,
  kind: "failover",
  summary: "guard",
  steps: [{ id: `${id}/guard`, kind: "rpoGuard", description: "guard", region, seconds, relaxed }],
  compensation: [],
  regions: [region],
});

describe("rpoGuard step", () => {
  it("sets the guard on the region's cluster and records it relaxed, then restored", async () => {
    const h = harness({ regions: 2 });
    const cluster = h.mem.clusters.clusters.get("us-west-2");
    if (cluster === undefined) throw new Error("no cluster");
    cluster.ownParameterGroup = true;
    cluster.rpoGuardSeconds = 20;

    const relaxed = await runPlan(plan("relax-1", "us-west-2", 2_147_483_647, true), h.options());
    expect(relaxed.outcome).toBe("succeeded");
    expect(cluster.rpoGuardSeconds).toBe(2_147_483_647);
    expect(h.stored().rpoGuardRelaxed).toEqual(["us-west-2"]);

    const restored = await runPlan(plan("restore-1", "us-west-2", 20, false), h.options());
    expect(restored.outcome).toBe("succeeded");
    expect(cluster.rpoGuardSeconds).toBe(20);
    expect(h.stored().rpoGuardRelaxed).toBeUndefined();
  });

  it("fails without recording a relax the cluster refused", async () => {
    const h = harness({ regions: 2 });
    h.mem.clusters.failSetRpoGuard = Object.assign(new Error("no such group"), {
      name: "DBParameterGroupNotFound",
    });
    const r = await runPlan(plan("relax-1", "us-west-2", 2_147_483_647, true), h.options());
    expect(r.outcome).toBe("failed");
    expect(h.stored().rpoGuardRelaxed).toBeUndefined();
  });
});
