import { describe, expect, it } from "vitest";
import { observeBefore, runHealthGate } from "../../automation/gates/healthGate";
import type { HealthSource } from "../../automation/ports";
import { EffectLog, MemoryHealthSource, VirtualClock } from "../support/memoryPorts";

const endpoints = ["us-east-1", "us-west-2", "eu-west-1"].map((region) => ({
  region,
  url: `https://app.${region}.example.com/health`,
}));

function setup(policy: (region: string, now: number) => boolean | "hang") {
  const clock = new VirtualClock(0);
  const health = new MemoryHealthSource(clock, new EffectLog(clock), policy);
  return { clock, health };
}

describe("health gate", () => {
  it("passes once every region has N consecutive healthy observations", async () => {
    const { clock, health } = setup(() => true);
    const r = await runHealthGate(
      { endpoints, consecutive: 3, timeoutMs: 300_000, intervalMs: 10_000 },
      { health, clock },
    );
    expect(r).toMatchObject({ ok: true, rounds: 3, elapsedMs: 20_000, failing: [] });
    expect(r.healthy).toEqual(endpoints.map((e) => e.region));
  });

  it("restarts a region's streak on an unhealthy observation", async () => {
    // us-west-2: healthy, unhealthy, then healthy from t=20 s.
    const { clock, health } = setup((region, now) => region !== "us-west-2" || now !== 10_000);
    const seen: string[] = [];
    const r = await runHealthGate(
      { endpoints, consecutive: 3, timeoutMs: 300_000, intervalMs: 10_000 },
      {
        health,
        clock,
        onObservation: (region, ok, streak) => region === "us-west-2" && seen.push(`${ok}:${streak}`),
      },
    );
    expect(seen).toEqual(["true:1", "false:0", "true:1", "true:2", "true:3"]);
    expect(r.elapsedMs).toBe(40_000);
  });

  it("fails at its timeout naming the failing region and what was seen", async () => {
    const { clock, health } = setup((region) => region !== "eu-west-1");
    const r = await runHealthGate(
      { endpoints, consecutive: 2, timeoutMs: 60_000, intervalMs: 10_000 },
      { health, clock },
    );
    expect(r.ok).toBe(false);
    expect(r.elapsedMs).toBe(60_000);
    expect(r.healthy).toEqual(["us-east-1", "us-west-2"]);
    expect(r.failing).toEqual([{ region: "eu-west-1", detail: "503 Service Unavailable" }]);
  });

  it("a hung region does not hold back the others: each probe has its own timeout", async () => {
    const { clock, health } = setup((region) => (region === "eu-west-1" ? "hang" : true));
    const passedAt: Record<string, number> = {};
    const r = await runHealthGate(
      { endpoints, consecutive: 3, timeoutMs: 120_000, intervalMs: 10_000 },
      {
        health,
        clock,
        onObservation: (region, _ok, streak) => streak === 3 && (passedAt[region] = clock.now()),
      },
    );
    expect(r.failing).toEqual([{ region: "eu-west-1", detail: "probe timed out" }]);
    // Three rounds, each at most one probe timeout (6 s) long, plus two intervals.
    expect(passedAt["us-east-1"]).toBeLessThanOrEqual(2 * 10_000 + 3 * 6_000);
    expect(passedAt["us-west-2"]).toBe(passedAt["us-east-1"]);
    expect(r.elapsedMs).toBe(120_000);
  });

  it("a health source that hangs altogether cannot hold the gate past its timeout", async () => {
    const { clock, health } = setup(() => true);
    health.hangAll = true;
    const r = await runHealthGate(
      { endpoints, consecutive: 1, timeoutMs: 45_000, intervalMs: 10_000 },
      { health, clock },
    );
    expect(r.ok).toBe(false);
    expect(r.elapsedMs).toBe(45_000);
    expect(r.failing.map((f) => f.detail)).toEqual(Array(3).fill("no answer within the gate's timeout"));
  });

  it("treats a failing health source as unhealthy, keeping its error", async () => {
    const clock = new VirtualClock(0);
    const broken: HealthSource = { observe: async () => Promise.reject(new Error("throttled")) };
    const r = await runHealthGate(
      { endpoints: endpoints.slice(0, 1), consecutive: 1, timeoutMs: 20_000, intervalMs: 10_000 },
      { health: broken, clock },
    );
    expect(r.ok).toBe(false);
    expect(r.failing[0].detail).toBe("health source failed: throttled");
  });

  it("stops when its signal fires", async () => {
    const { clock, health } = setup(() => false);
    const stop = new AbortController();
    const gate = runHealthGate(
      { endpoints, consecutive: 1, timeoutMs: 300_000, intervalMs: 10_000 },
      { health, clock, signal: stop.signal, onObservation: () => clock.now() >= 30_000 && stop.abort() },
    );
    await expect(gate).rejects.toThrow(/abort/i);
    expect(clock.now()).toBe(30_000);
  });

  it("stops a round when the caller's signal fires during it, with the caller's reason", async () => {
    const clock = new VirtualClock(0, false);
    const health = new MemoryHealthSource(clock, new EffectLog(clock));
    health.hangAll = true;
    const stop = new AbortController();
    const reason = new Error("the step was stopped");
    const round = observeBefore({ health, clock, signal: stop.signal }, endpoints, 60_000);
    await clock.advance(5_000);
    stop.abort(reason);
    await expect(round).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it("cancels the round's timeout once the regions answer, and the hung observation once it times out", async () => {
    const clock = new VirtualClock(0, false);
    const health = new MemoryHealthSource(clock, new EffectLog(clock));
    const stop = new AbortController();
    expect(await observeBefore({ health, clock, signal: stop.signal }, endpoints, 60_000)).toHaveLength(3);
    expect(clock.pending).toBe(0);
    health.hangAll = true;
    const late = observeBefore({ health, clock, signal: stop.signal }, endpoints, 10_000);
    await clock.advance(10_000);
    expect(await late).toEqual([]);
    expect(clock.pending).toBe(0);
    // The caller's signal is its own again: firing it now reaches no finished round.
    stop.abort();
    expect(clock.pending).toBe(0);
  });
});
