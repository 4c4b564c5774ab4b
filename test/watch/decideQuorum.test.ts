import { describe, expect, it } from "vitest";
import { decide } from "../../automation/watch/decide";
import type { VantageReport } from "../../automation/watch/quorum";
import type { VantageInputs } from "../../automation/watch/tickInputs";
import { type EnvironmentConfig, parseConfig } from "../../components/config";
import { sampleRawConfig } from "../support/sampleConfig";
import { type Answer, EUW1, USE1, USW2, auto, inputs, memoryAfter, rounds } from "./decideFixtures";

/**
 * decide with several watcher replicas: the writer is failed over only by a majority of fresh
 * vantage points, and a region only this replica sees failing is healthy for the planners.
 */
const cut: Answer = { probe: false, route53: 1 };
const cutR53Out: Answer = { probe: false, route53: null };
const outage: Answer = { probe: false, route53: 0 };

function vantage(
  history: readonly Readonly<Record<string, Answer>>[],
  peers: Record<string, boolean>,
  ageMs = 0,
) {
  const { now } = memoryAfter(auto, history);
  const reports: VantageReport[] = Object.entries(peers).map(([voter, down]) => ({
    voter,
    region: USE1,
    at: now - ageMs,
    down,
  }));
  const v: VantageInputs = { voter: "ap-south-1", reports, freshMs: 15_000 };
  return v;
}

const started = (out: ReturnType<typeof decide>, kind: string) =>
  out.decisions.filter((d) => d.kind === kind && d.action === "started");

describe("decide with a quorum of vantage points", () => {
  it.each<{
    name: string;
    history: Record<string, Answer>[];
    peers: Record<string, boolean>;
    failover: number;
    escalate: number;
  }>([
    {
      name: "the others see the writer up: escalate, no failover",
      history: rounds(4, USE1, cut),
      peers: { [USW2]: false, [EUW1]: false },
      failover: 0,
      escalate: 1,
    },
    {
      name: "the others see it down too: failover",
      history: rounds(3, USE1, outage),
      peers: { [USW2]: true, [EUW1]: true },
      failover: 1,
      escalate: 0,
    },
    {
      name: "Route 53's API out, one other replica sees it down: failover (2 of 2)",
      history: rounds(3, USE1, cutR53Out),
      peers: { [USW2]: true },
      failover: 1,
      escalate: 0,
    },
    {
      name: "Route 53's API out, one other replica sees it up: no failover (1 of 2)",
      history: rounds(3, USE1, cutR53Out),
      peers: { [USW2]: false },
      failover: 0,
      escalate: 1,
    },
  ])("$name", ({ history, peers, failover, escalate }) => {
    const out = decide(inputs(auto, history, { vantage: vantage(history, peers) }));
    expect(started(out, "failover")).toHaveLength(failover);
    expect(out.decisions.filter((d) => d.kind === "escalate")).toHaveLength(escalate);
  });

  it("a stale report that says up does not hold a failover back", () => {
    const history = rounds(3, USE1, cutR53Out);
    const out = decide(inputs(auto, history, { vantage: vantage(history, { [USW2]: false }, 20_000) }));
    expect(started(out, "failover")).toHaveLength(1);
  });

  it("a secondary only this replica cannot reach is not held out; alone, it is", () => {
    const history = rounds(4, EUW1, cut);
    const peers: VantageReport[] = [USW2, USE1].map((voter) => ({
      voter,
      region: EUW1,
      at: memoryAfter(auto, history).now,
      down: false,
    }));
    const outvoted = decide(
      inputs(auto, history, { vantage: { voter: "ap-south-1", reports: peers, freshMs: 15_000 } }),
    );
    expect(outvoted.decisions.filter((d) => d.kind === "holdout")).toEqual([]);
    const lone = decide(inputs(auto, history));
    expect(started(lone, "holdout")).toHaveLength(1);
  });

  describe("with ARC routing controls", () => {
    const arc: EnvironmentConfig = { ...auto, dns: { ...auto.dns, control: "arc" } };
    // Route 53's checkers still see the writer healthy: they have not had their 36 s yet.
    const probesOnly: Answer = { probe: false, route53: 1 };

    it("two fresh replicas down fail the writer over before Route 53's checkers see it", () => {
      const history = rounds(3, USE1, probesOnly);
      const v = vantage(history, { [USW2]: true, [EUW1]: false });
      expect(started(decide(inputs(arc, history, { vantage: v })), "failover")).toHaveLength(1);
      // With health-check routing the same votes wait for Route 53.
      expect(started(decide(inputs(auto, history, { vantage: v })), "failover")).toHaveLength(0);
    });

    it("one replica cut off from the writer is still outvoted", () => {
      const history = rounds(3, USE1, probesOnly);
      const out = decide(
        inputs(arc, history, { vantage: vantage(history, { [USW2]: false, [EUW1]: false }) }),
      );
      expect(started(out, "failover")).toHaveLength(0);
      expect(out.decisions.filter((d) => d.kind === "escalate")).toHaveLength(1);
    });

    it("a lone replica whose peers are dead does not fail over on its own probes", () => {
      const history = rounds(3, USE1, probesOnly);
      const out = decide(inputs(arc, history, { vantage: vantage(history, { [USW2]: true }, 20_000) }));
      expect(started(out, "failover")).toHaveLength(0);
    });

    it("failureThreshold 1 is refused in auto mode; in manual mode the early verdict only reports", () => {
      expect(() =>
        parseConfig({
          ...sampleRawConfig({ regions: 3 }),
          dns: { ...arc.dns },
          failover: { mode: "auto", failureThreshold: 1 },
        }),
      ).toThrow(/failureThreshold/);
      const manualOne = parseConfig({
        ...sampleRawConfig({ regions: 3 }),
        dns: { ...arc.dns },
        failover: { mode: "manual", failureThreshold: 1 },
      });
      const history = rounds(1, USE1, probesOnly);
      const out = decide(
        inputs(manualOne, history, { vantage: vantage(history, { [USW2]: true, [EUW1]: false }) }),
      );
      expect(started(out, "failover")).toHaveLength(0);
      expect(out.decisions.filter((d) => d.kind === "failover" && d.action === "reported")).toHaveLength(1);
    });

    it("once Route 53 has had its time, its healthy verdict counts again", () => {
      const history = rounds(5, USE1, probesOnly);
      const out = decide(
        inputs(arc, history, { vantage: vantage(history, { [USW2]: true, [EUW1]: false }) }),
      );
      expect(started(out, "failover")).toHaveLength(0);
    });
  });
});
