import { describe, expect, it } from "vitest";
import { type OperationalState, parseState } from "../../components/operationalState";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { StateHandle, StateWriteError } from "../../automation/executor/stateHandle";
import { sampleState } from "../adapters/state/sampleState";
import { withRunningDeploy } from "../support/runningOperation";

async function handle(): Promise<{ h: StateHandle; store: SimStateStore }> {
  const store = new SimStateStore({ now: () => 0, sleep: async () => undefined } as never);
  await store.write(sampleState("a"), null);
  const stored = await store.read();
  if (stored === null) throw new Error("nothing stored");
  return { h: new StateHandle(store, stored.state, stored.etag, "op-1"), store };
}

describe("StateHandle: validated, frozen documents without re-parsing what did not change", () => {
  it("gives a change a private copy and holds what parseState gives, frozen throughout", async () => {
    const { h, store } = await handle();
    const first = await h.update((s) => {
      s.regions["us-west-2"].note = "b";
      s.incidents.push({
        kind: "failover",
        from: "us-east-1",
        to: "us-west-2",
        faultAt: null,
        recoveredAt: null,
        rpoSeconds: null,
        rtoSeconds: 12,
      });
      return s;
    });
    const second = await h.update((s) => {
      s.regions["us-west-2"].note = "c";
      return s;
    });
    expect(first.regions["us-west-2"].note).toBe("b");
    expect(second.regions["us-west-2"].note).toBe("c");
    expect(second.incidents).toBe(first.incidents);
    expect(second).toEqual(parseState(JSON.parse(JSON.stringify(second)), "test"));
    expect(Object.isFrozen(second.regions["us-west-2"])).toBe(true);
    expect(store.peek()).toEqual(second);
  });

  it("keeps the operation's plan as one frozen value across writes, and takes a new plan when one is written", async () => {
    const { h } = await handle();
    const plan = { steps: [{ id: "a" }], compensation: [] };
    const started = await h.update((s) => withRunningDeploy(s, plan, "op-1"));
    const moved = await h.update((s) => ({ ...s, operation: { ...s.operation!, cursor: 1 } }));
    expect(moved.operation?.plan).toBe(started.operation?.plan);
    expect(Object.isFrozen((moved.operation?.plan as { steps: object[] }).steps[0])).toBe(true);
    const replanned = await h.update((s) => ({
      ...s,
      operation: { ...s.operation!, plan: { steps: [], compensation: [] } },
    }));
    expect(replanned.operation?.plan).toEqual({ steps: [], compensation: [] });
  });

  it("refuses an invalid change naming the field, writing nothing", async () => {
    const { h, store } = await handle();
    const before = store.peek();
    const write = h.update(
      (s) =>
        ({
          ...s,
          regions: { ...s.regions, "us-west-2": { ...s.regions["us-west-2"], canaryWeight: 101 } },
        }) as OperationalState,
    );
    await expect(write).rejects.toThrow(StateWriteError);
    await expect(write).rejects.toThrow(/regions\.us-west-2\.canaryWeight/);
    expect(store.peek()).toBe(before);
    expect(h.current.regions["us-west-2"].canaryWeight).toBeNull();
  });
});
