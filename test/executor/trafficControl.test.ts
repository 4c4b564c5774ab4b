import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import { planFailover } from "../../automation/plans/failover";
import type { Plan, Step } from "../../automation/plans/steps";
import { memoryPorts } from "../support/memoryPorts";
import { sampleConfig } from "../support/sampleConfig";
import { initialState } from "../../components/operationalState";
import { type Harness, harness } from "./harness";

const flip: Step = { id: "flip", kind: "trafficControl", description: "match the routing controls" };
const drainUse1: Step = {
  id: "drain",
  kind: "patchState",
  description: "drain us-east-1",
  patch: { regions: { "us-east-1": { drained: true } } },
};

function plan(steps: Step[]): Plan {
  return { id: "op-traffic", kind: "traffic", summary: "test", steps, compensation: [], regions: [] };
}

const record = (h: Harness, id: string) =>
  h
    .stored()
    .history.at(-1)
    ?.steps.find((s) => s.id === id);

describe("trafficControl step", () => {
  it("sets every routing control to the state as it is when the step runs", async () => {
    const h = harness({ regions: 3, dnsControl: "arc" });
    const result = await runPlan(plan([drainUse1, flip]), h.options());
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.traffic.onRegions()).toEqual(["eu-west-1", "us-west-2"]);
    expect(h.mem.traffic.isOn("us-east-1")).toBe(false);
    expect(record(h, "flip")?.detail).toMatch(/routing controls on eu-west-1, us-west-2; off us-east-1/);
    // The flip is the whole traffic move: no stack update was needed.
    expect(h.mem.stack.calls).toEqual([]);
  });

  it("tries again while no cluster endpoint answers, and succeeds once one does", async () => {
    const h = harness({ regions: 3, dnsControl: "arc" });
    h.mem.traffic.setReachable(false);
    void h.mem.clock.sleep(1_200).then(() => h.mem.traffic.setReachable(true));
    const result = await runPlan(plan([drainUse1, flip]), h.options());
    expect(result.outcome).toBe("succeeded");
    expect(h.mem.traffic.isOn("us-east-1")).toBe(false);
    expect(h.progress.map((p) => p.message).join("\n")).toMatch(
      /routing control change failed .*retry 1 of 5/s,
    );
  });

  it("fails the step when the cluster stays unreachable, naming why", async () => {
    const h = harness({ regions: 3, dnsControl: "arc" });
    h.mem.traffic.setReachable(false);
    const result = await runPlan(plan([drainUse1, flip]), h.options());
    expect(result.outcome).toBe("failed");
    expect(result.reason).toMatch(/step flip failed: no traffic control endpoint answered/);
    expect(h.mem.traffic.onRegions()).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
  });

  it("fails without a traffic control port, and leaves no region off when the state would", async () => {
    const config = sampleConfig({ regions: 2, dnsControl: "arc" });
    const mem = memoryPorts(config);
    const { traffic: _none, ...ports } = mem.ports;
    const noPort = await runPlan(plan([flip]), { config, ports, holder: "t" });
    expect(noPort.reason).toMatch(/no traffic control/);

    const h = harness({ regions: 2, dnsControl: "arc" });
    const drainAll: Step = {
      id: "drain-all",
      kind: "patchState",
      description: "drain both",
      patch: { regions: { "us-east-1": { drained: true }, "us-west-2": { drained: true } } },
    };
    const none = await runPlan(plan([drainAll, flip]), h.options());
    expect(none.reason).toMatch(/no region would stay on/);
    expect(h.mem.traffic.onRegions()).toEqual(["us-east-1", "us-west-2"]);
  });
});

describe("failover with dns.control: arc, on memory ports", () => {
  it("flips us-east-1 off beside the promotion; a failed stack update afterwards is deferred and the failover succeeds", async () => {
    const h = harness({ regions: 3, dnsControl: "arc" });
    h.mem.stack.failUp = () => new Error("the Pulumi backend is unreachable");
    const state = initialState(h.config);
    const decision = planFailover({
      config: h.config,
      state,
      health: {
        "us-east-1": { healthy: false, flapping: false, consecutiveFailures: 3, probeErrorRate: 1 },
        "us-west-2": { healthy: true, flapping: false, consecutiveFailures: 0, probeErrorRate: 0 },
        "eu-west-1": { healthy: true, flapping: false, consecutiveFailures: 0, probeErrorRate: 0 },
      } as never,
      database: await h.mem.database.describe("us-west-2"),
      id: "failover-1",
    });
    if (decision.refused) throw new Error(decision.reason);
    const result = await runPlan(decision.plan, h.options());

    expect(result.outcome).toBe("succeeded");
    expect(h.stored().writer).toBe(decision.to);
    expect(h.mem.traffic.isOn("us-east-1")).toBe(false);
    expect(record(h, "failover/move")?.outcome).toBe("ok");
    expect(record(h, "failover/stack")?.detail).toMatch(/^deferred: the Pulumi backend is unreachable/);
    expect(h.stored().deferredStackUpdate).toMatchObject({
      operationId: "failover-1",
      stepId: "failover/stack",
      attempts: 1,
      lastError: "the Pulumi backend is unreachable",
    });
  });
});
