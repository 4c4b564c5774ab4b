import { describe, expect, it } from "vitest";
import { resumeOperation, runPlan } from "../../automation/executor";
import { planRotation } from "../../automation/plans/rotation";
import { reconcileState } from "../../components/operationalState";
import { harness } from "./harness";

const secretPassword = (text: string): string => (JSON.parse(text) as { password: string }).password;

async function rotationPlan(h: ReturnType<typeof harness>) {
  const state = reconcileState(h.config, (await h.mem.state.read())?.state ?? null);
  const d = planRotation({ state, database: await h.mem.database.describe(state.writer), id: "rotation-1" });
  if (d.refused) throw new Error(d.reason);
  return d.plan;
}

describe("rotatePassword step", () => {
  it("a run killed after the writer took a password resumes with a new one, on the writer then the secret", async () => {
    const h = harness({ regions: 2 });
    const plan = await rotationPlan(h);
    const stop = new AbortController();
    const set = h.mem.clusters.setMasterPassword.bind(h.mem.clusters);
    const taken: string[] = [];
    h.mem.clusters.setMasterPassword = async (region, password) => {
      await set(region, password);
      taken.push(password);
      if (taken.length === 1) stop.abort(new Error("killed"));
    };
    await runPlan(plan, h.options({ signal: stop.signal })).catch(() => undefined);
    expect(taken).toHaveLength(1);
    expect(h.stored().operation).toMatchObject({ id: "rotation-1", phase: "running" });
    expect(secretPassword(h.mem.secret.text)).toBe("initial-password");

    const resumed = await resumeOperation(h.options());
    expect(resumed.outcome).toBe("succeeded");
    expect(taken).toHaveLength(2);
    expect(taken[1]).not.toBe(taken[0]);
    const writer = h.mem.clusters.clusters.get(h.config.writer);
    expect(writer?.password).toBe(taken[1]);
    expect(secretPassword(h.mem.secret.text)).toBe(taken[1]);
    expect(JSON.stringify(h.stored())).not.toContain(taken[1]);
  });

  it("fails before any change when the ports have no member clusters", async () => {
    const h = harness({ regions: 2 });
    const plan = await rotationPlan(h);
    const r = await runPlan(plan, h.options({ ports: { ...h.mem.ports, clusters: undefined } }));
    expect(r.outcome).toBe("failed");
    expect(r.reason).toMatch(/no member clusters/);
    expect(secretPassword(h.mem.secret.text)).toBe("initial-password");
  });
});
