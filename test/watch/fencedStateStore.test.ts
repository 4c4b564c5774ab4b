import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { VirtualClock } from "../../automation/drill/virtualClock";
import { type Lease, LeaseLostError } from "../../automation/ports";
import { FencedStateStore } from "../../automation/watch/fencedStateStore";
import { unitScenario } from "../drill/unitScenario";
import { scenarioConfig } from "../../automation/drill/scenarioConfig";

function setup() {
  const clock = new VirtualClock(Date.UTC(2030, 0, 1));
  const state = new SimStateStore(clock);
  const leases = new SimStateStore(clock, () => {}, "drill://leader");
  const built = scenarioConfig(unitScenario());
  if (!("config" in built)) throw new Error("bad config");
  const doc = initialState(built.config);
  const actions: string[] = [];
  const replica = (name: string, term: () => Lease | null) =>
    new FencedStateStore(
      state,
      { leases, term, onAction: (t) => actions.push(`${name}:${t.etag}`) },
      name,
      clock,
    );
  return { clock, state, leases, doc, actions, replica };
}

describe("FencedStateStore: only the live leader changes the state", () => {
  it("the leader writes and takes the operation lease; each change is heard with its term", async () => {
    const { leases, doc, actions, replica } = setup();
    const term = await leases.acquireLease("a", "lead", 10_000);
    const a = replica("a", () => term);
    const etag = await a.write(doc, null);
    await a.acquireLease("a", "failover", 10_000);
    expect(etag).toMatch(/\S/);
    expect(actions).toEqual([`a:${term.etag}`, `a:${term.etag}`]);
  });

  it("a standby (no term) cannot write, take or renew the operation lease, but reads", async () => {
    const { state, leases, doc, replica } = setup();
    await leases.acquireLease("a", "lead", 10_000);
    const op = await state.acquireLease("a", "failover", 10_000);
    await state.write(doc, null);
    const b = replica("b", () => null);
    await expect(b.write(doc, `"1"`)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(b.acquireLease("b", "failover", 10_000)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(b.renewLease(op, 10_000)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await b.read())?.state).toEqual(doc);
  });

  it("a leader whose term lapsed and was taken over stops at once, even before it notices", async () => {
    const { clock, state, leases, doc, actions, replica } = setup();
    const old = await leases.acquireLease("a", "lead", 10_000);
    const a = replica("a", () => old);
    await a.write(doc, null);
    clock.advanceTo(clock.now() + 10_001);
    // Lapsed: even before anyone takes over, the old term no longer writes.
    await expect(a.write(doc, `"1"`)).rejects.toBeInstanceOf(LeaseLostError);
    const next = await leases.acquireLease("b", "lead", 10_000);
    const b = replica("b", () => next);
    await b.write(doc, `"1"`);
    await expect(a.write(doc, `"2"`)).rejects.toBeInstanceOf(LeaseLostError);
    expect(actions).toEqual([`a:${old.etag}`, `b:${next.etag}`]);
    expect((await state.read())?.etag).toBe(`"2"`);
  });
});
