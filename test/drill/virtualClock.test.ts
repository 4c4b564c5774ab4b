import { describe, expect, it } from "vitest";
import { DRILL_EPOCH_MS, VirtualClock } from "../../automation/drill/virtualClock";

async function runAll(clock: VirtualClock, limitMs = Number.POSITIVE_INFINITY): Promise<void> {
  await clock.idle();
  while (await clock.step(limitMs)) {
    // fire every timer
  }
}

describe("VirtualClock", () => {
  it("fires sleeps in time order, and same-time sleeps in the order they were set", async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    void clock.sleep(3000).then(() => order.push(`c@${clock.seconds()}`));
    void clock.sleep(1000).then(() => order.push(`a@${clock.seconds()}`));
    void clock.sleep(1000).then(() => order.push(`b@${clock.seconds()}`));
    await runAll(clock);
    expect(order).toEqual(["a@1", "b@1", "c@3"]);
    expect(clock.now()).toBe(DRILL_EPOCH_MS + 3000);
  });

  it("lets a chain of awaits finish before time moves on", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const worker = async (): Promise<void> => {
      await clock.sleep(1000);
      // Several hops through promises and an immediate: all at the same instant.
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      await Promise.resolve();
      seen.push(clock.seconds());
      await clock.sleep(500);
      seen.push(clock.seconds());
    };
    void worker();
    void clock.sleep(1200).then(() => seen.push(-clock.seconds()));
    await runAll(clock);
    expect(seen).toEqual([1, -1.2, 1.5]);
  });

  it("rejects an aborted sleep and forgets its timer", async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const p = clock.sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow(/abort/i);
    expect(clock.pending()).toBe(0);
    await expect(clock.sleep(1, ac.signal)).rejects.toThrow(/abort/i);
  });

  it("stops at the limit without firing later timers", async () => {
    const clock = new VirtualClock();
    let fired = false;
    void clock.sleep(5000).then(() => (fired = true));
    await runAll(clock, DRILL_EPOCH_MS + 4000);
    expect(fired).toBe(false);
    expect(clock.nextAt()).toBe(DRILL_EPOCH_MS + 5000);
  });
});
