import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { LeaseHeldError, LeaseLostError, StateConflictError } from "../../automation/ports";
import { EffectLog, MemoryStateStore, VirtualClock, memoryPorts } from "../support/memoryPorts";
import { sampleConfig } from "../support/sampleConfig";

/** The fakes other tests (executor, drill, failover) rely on behave like the real adapters. */
describe("memory ports", () => {
  it("a manual virtual clock fires timers in time order as it advances", async () => {
    const clock = new VirtualClock(0, false);
    const fired: string[] = [];
    void clock.sleep(300).then(() => fired.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => fired.push(`a@${clock.now()}`));
    void clock.sleep(100).then(() => clock.sleep(50).then(() => fired.push(`c@${clock.now()}`)));
    await clock.advance(200);
    expect(fired).toEqual(["a@100", "c@150"]);
    expect(clock.now()).toBe(200);
    await clock.advance(100);
    expect(fired).toEqual(["a@100", "c@150", "b@300"]);
  });

  it("an aborted sleep rejects and leaves no timer behind", async () => {
    const clock = new VirtualClock(0, false);
    const stop = new AbortController();
    const sleeping = clock.sleep(1_000, stop.signal);
    stop.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending).toBe(0);
  });

  it("the state store writes only on the expected etag", async () => {
    const clock = new VirtualClock(0);
    const config = sampleConfig({ regions: 2 });
    const store = new MemoryStateStore(clock, new EffectLog(clock));
    expect(await store.read()).toBeNull();
    await expect(store.write(initialState(config), '"nope"')).rejects.toBeInstanceOf(StateConflictError);
    const etag = await store.write(initialState(config), null);
    await expect(store.write(initialState(config), null)).rejects.toBeInstanceOf(StateConflictError);
    const next = await store.write({ ...initialState(config), revision: 1 }, etag);
    expect((await store.read())?.etag).toBe(next);
    expect((await store.read())?.state.revision).toBe(1);
  });

  it("the lease refuses another holder until it expires, and a taken-over lease cannot be renewed", async () => {
    const clock = new VirtualClock(0, false);
    const store = new MemoryStateStore(clock, new EffectLog(clock));
    const a = await store.acquireLease("a", "op-1", 60_000);
    await expect(store.acquireLease("b", "op-2", 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
    await clock.advance(60_001);
    const b = await store.acquireLease("b", "op-2", 60_000);
    await expect(store.renewLease(a, 60_000)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.renewLease(b, 60_000)).expiresAt).toBe(120_001);
  });

  it("the stack renders the stored state for the targeted regions only", async () => {
    const config = sampleConfig({ regions: 3 });
    const mem = memoryPorts(config);
    const state = initialState(config);
    const moved = {
      ...state,
      regions: {
        ...state.regions,
        "us-west-2": {
          ...state.regions["us-west-2"],
          version: "2.0.0",
          slots: { blue: { version: "2.0.0", replicas: 3 }, green: null },
        },
        "eu-west-1": {
          ...state.regions["eu-west-1"],
          version: "2.0.0",
          slots: { blue: { version: "2.0.0", replicas: 3 }, green: null },
        },
      },
    };
    await mem.state.write(moved, null);
    await mem.stack.up({
      targets: { regions: ["us-west-2", "eu-west-1"] },
      excludes: { regions: ["eu-west-1"] },
    });
    expect(mem.stack.versions()).toEqual({
      "us-east-1": "1.0.0",
      "us-west-2": "2.0.0",
      "eu-west-1": "1.0.0",
    });
    // A preview with a state override shows the diff without changing anything.
    const preview = await mem.stack.preview({ stateOverride: moved });
    expect(preview.steps.map((s) => s.urn)).toEqual([expect.stringMatching(/::eu-west-1$/)]);
    expect(mem.stack.versions()["eu-west-1"]).toBe("1.0.0");
  });
});
