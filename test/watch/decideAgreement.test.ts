import { describe, expect, it } from "vitest";
import { writerVerdict } from "../../automation/watch/agreement";
import { decide } from "../../automation/watch/decide";
import { type Answer, DOWN, UP, USE1, auto, inputs, memoryAfter, rounds } from "./decideFixtures";

/**
 * Agreement before an unplanned failover, as a table: Route 53's checkers and the controller's
 * own probes must both see the writer down; Route 53's API not answering leaves the decision to
 * the probes after the usual threshold; one vantage point alone never fails over.
 */
const probeFails = (route53: number | null): Answer => ({ probe: false, route53 });

const rows: {
  readonly name: string;
  readonly history: readonly Readonly<Record<string, Answer>>[];
  readonly verdict: string;
  readonly failover: "started" | "none";
}[] = [
  { name: "both signals see it down", history: rounds(3, USE1, DOWN), verdict: "down", failover: "started" },
  {
    name: "probes fail, some checkers already see the failure while Route 53's verdict turns",
    history: rounds(3, USE1, probeFails(0.9)),
    verdict: "down",
    failover: "started",
  },
  {
    name: "Route 53's API does not answer (control-plane outage): the probes decide after the threshold",
    history: rounds(3, USE1, probeFails(null)),
    verdict: "down",
    failover: "started",
  },
  {
    name: "Route 53's API does not answer, and the probes failed fewer times than the threshold",
    history: [{}, ...rounds(2, USE1, probeFails(null))],
    verdict: "up",
    failover: "none",
  },
  {
    name: "partition: the probes fail, Route 53's checkers and clients reach the region",
    history: rounds(6, USE1, probeFails(1)),
    verdict: "one-vantage",
    failover: "none",
  },
  {
    name: "Route 53 sees it down but the controller's probes reach it",
    history: rounds(3, USE1, { probe: true, route53: 0 }),
    verdict: "up",
    failover: "none",
  },
  {
    name: "one noisy probe among good ones",
    history: [{}, { [USE1]: probeFails(1) }, {}, { [USE1]: probeFails(1) }],
    verdict: "up",
    failover: "none",
  },
  {
    name: "no probe configured: Route 53's verdict alone",
    history: rounds(3, USE1, { probe: null, route53: 0 }),
    verdict: "down",
    failover: "started",
  },
  {
    name: "silence: neither signal answers",
    history: rounds(3, USE1, { probe: null, route53: null }),
    verdict: "down",
    failover: "started",
  },
  {
    name: "a degraded writer: three failures in four answers, never three in a row, some checkers failing",
    history: [{ [USE1]: probeFails(0.9) }, {}, { [USE1]: probeFails(0.9) }, { [USE1]: probeFails(0.9) }],
    verdict: "down",
    failover: "started",
  },
  {
    name: "the same failures in four answers while every checker sees the writer up",
    history: [{ [USE1]: probeFails(1) }, {}, { [USE1]: probeFails(1) }, { [USE1]: probeFails(1) }],
    verdict: "one-vantage",
    failover: "none",
  },
  {
    name: "a writer that answers again after going down is not failed over",
    history: [...rounds(3, USE1, probeFails(1)), { [USE1]: UP }],
    verdict: "up",
    failover: "none",
  },
];

describe("agreement before an unplanned failover", () => {
  it.each(rows)("$name: $verdict, failover $failover", ({ history, verdict, failover }) => {
    const { memory } = memoryAfter(auto, history);
    expect(writerVerdict(memory.tracker[USE1], auto.failover.failureThreshold).status).toBe(verdict);
    const out = decide(inputs(auto, history));
    const started = out.decisions.filter((d) => d.kind === "failover" && d.action === "started");
    expect(started.length).toBe(failover === "started" ? 1 : 0);
  });

  it("a one-vantage-point failure is escalated to a person, with the rule, and nothing starts", () => {
    const out = decide(inputs(auto, rounds(6, USE1, probeFails(1))));
    expect(out.decisions).toContainEqual(
      expect.objectContaining({
        kind: "escalate",
        action: "reported",
        region: USE1,
        rule: "agreement-before-failover",
      }),
    );
    expect(out.decisions.some((d) => d.effect?.do === "start" || d.effect?.do === "stop")).toBe(false);
  });
});
