import { describe, expect, it } from "vitest";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { Leadership } from "../../automation/watch/leadership";
import { VirtualClock } from "../support/memoryPorts";

const TTL = 3000;

function rig() {
  const clock = new VirtualClock(Date.UTC(2025, 0, 1), false);
  const store = new SimStateStore(clock, () => {}, "test://leader");
  const events: string[] = [];
  const start = (name: string) => {
    const leadership = new Leadership(store, name, clock, TTL);
    const stop = new AbortController();
    const done = leadership.run({
      signal: stop.signal,
      onTake: () => events.push(`${name} takes at ${clock.now() - Date.UTC(2025, 0, 1)}`),
      onLose: () => events.push(`${name} loses at ${clock.now() - Date.UTC(2025, 0, 1)}`),
    });
    return { leadership, stop, done };
  };
  return { clock, store, events, start };
}

describe("Leadership", () => {
  it("one replica leads, the other stands by, however long they run", async () => {
    const { clock, events, start } = rig();
    const a = start("a");
    const b = start("b");
    await clock.advance(10 * TTL);
    expect(a.leadership.leads()).toBe(true);
    expect(b.leadership.leads()).toBe(false);
    expect(b.leadership.term()).toBeNull();
    expect(events).toEqual(["a takes at 0"]);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it("a standby takes over within the TTL of the leader's death", async () => {
    const { clock, events, start } = rig();
    const a = start("a");
    const b = start("b");
    await clock.advance(TTL);
    // It renewed at TTL, the moment it died: its term runs a whole TTL more.
    a.stop.abort();
    await a.done;
    await clock.advance(TTL - 1);
    expect(b.leadership.leads()).toBe(false);
    await clock.advance(1);
    expect(b.leadership.leads()).toBe(true);
    expect(events).toEqual(["a takes at 0", `b takes at ${2 * TTL}`]);
    b.stop.abort();
    await b.done;
  });

  it("a leader that cannot renew stops leading when its term runs out, and says so", async () => {
    const { clock, store, events, start } = rig();
    const a = start("a");
    await clock.advance(TTL / 3);
    store.unavailable = () => "its region is out";
    await clock.advance(TTL);
    expect(a.leadership.leads()).toBe(false);
    expect(a.leadership.term()).toBeNull();
    expect(events).toEqual(["a takes at 0", `a loses at ${TTL + TTL / 3}`]);
    a.stop.abort();
    await a.done;
  });

  it("resigning frees the lease at once", async () => {
    const { clock, store, start } = rig();
    const a = start("a");
    await clock.advance(1);
    a.stop.abort();
    await a.done;
    expect(await store.readLease()).not.toBeNull();
    await a.leadership.resign();
    expect(await store.readLease()).toBeNull();
    expect(a.leadership.term()).toBeNull();
  });
});
