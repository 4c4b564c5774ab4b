import { describe, expect, it } from "vitest";
import { type VantageReport, quorumVerdict, route53DetectionMs } from "../../automation/watch/quorum";

const NOW = 1_000_000;
const FRESH = 20_000;
const report = (voter: string, down: boolean, ageMs = 0, region = "us-east-1"): VantageReport => ({
  voter,
  region,
  at: NOW - ageMs,
  down,
});

describe("quorumVerdict: a strict majority of fresh vantage points declares a region down", () => {
  it.each([
    {
      name: "three replicas and Route 53 agree",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", true)],
      route53: { down: true },
      want: { status: "down", votesDown: 4, voters: 4 },
    },
    {
      name: "a partition between this replica and the region: outvoted",
      own: true,
      reports: [report("us-west-2", false), report("eu-west-1", false)],
      route53: { down: false },
      want: { status: "one-vantage", votesDown: 1, voters: 4 },
    },
    {
      name: "another replica cut off from the region: nothing",
      own: false,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: false },
      want: { status: "up", votesDown: 1, voters: 4 },
    },
    {
      name: "half is not a majority",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: false },
      want: { status: "one-vantage", votesDown: 2, voters: 4 },
    },
    {
      name: "Route 53's API down (us-east-1 out): the two live replicas decide",
      own: true,
      reports: [report("us-west-2", true)],
      route53: null,
      want: { status: "down", votesDown: 2, voters: 2 },
    },
    {
      name: "a dead replica's stale report does not vote",
      own: true,
      reports: [report("us-west-2", true), report("us-east-1", false, FRESH + 1)],
      route53: null,
      want: { status: "down", votesDown: 2, voters: 2 },
    },
    {
      name: "a report exactly at the freshness limit still votes",
      own: true,
      reports: [report("us-west-2", false, FRESH)],
      route53: null,
      want: { status: "one-vantage", votesDown: 1, voters: 2 },
    },
    {
      name: "alone, with Route 53's API down: its own probes decide, as a lone watcher's",
      own: true,
      reports: [],
      route53: null,
      want: { status: "down", votesDown: 1, voters: 1 },
    },
    {
      name: "reports on other regions and this replica's own published report are ignored",
      own: false,
      reports: [report("us-west-2", true, 0, "eu-west-1"), report("ap-south-1", true)],
      route53: { down: false },
      want: { status: "up", votesDown: 0, voters: 2 },
    },
    {
      name: "a replica's newest report counts, once",
      own: true,
      reports: [report("us-west-2", false, 10_000), report("us-west-2", true, 0)],
      route53: { down: false },
      want: { status: "down", votesDown: 2, voters: 3 },
    },
  ])("$name", ({ own, reports, route53, want }) => {
    const v = quorumVerdict({
      region: "us-east-1",
      own: { voter: "ap-south-1", down: own },
      reports,
      route53,
      now: NOW,
      freshMs: FRESH,
    });
    expect({ status: v.status, votesDown: v.votesDown, voters: v.voters }).toEqual(want);
  });

  it("says who voted how", () => {
    const v = quorumVerdict({
      region: "us-east-1",
      own: { voter: "ap-south-1", down: true },
      reports: [report("us-west-2", false)],
      route53: { down: false },
      now: NOW,
      freshMs: FRESH,
    });
    expect(v.detail).toBe(
      "1 of 3 vantage points see us-east-1 down (this watcher down, 0 of 1 other replicas down, Route 53 up)",
    );
    expect(v.peersUp).toBe(1);
  });
});

describe("quorumVerdict with ARC routing controls: a late Route 53 does not veto fresh replicas", () => {
  // Route 53's checkers every 10 s, threshold 3, 6 s timeout: 36 s before their verdict can show a fault.
  const DETECT = route53DetectionMs({ intervalSeconds: 10, failureThreshold: 3, timeoutSeconds: 6 });
  const early = NOW - 6_000;
  const late = NOW - DETECT;
  it.each<{
    name: string;
    own: boolean;
    reports: VantageReport[];
    route53: { down: boolean } | null;
    failingSince: number | null;
    arc: boolean;
    want: { status: string; votesDown: number; voters: number; route53Early: boolean };
  }>([
    {
      name: "two of three replicas down 6 s into the fault, Route 53 still up: down",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "down", votesDown: 2, voters: 3, route53Early: true },
    },
    {
      name: "the writer's replica dead, the two others down, Route 53 still up: down",
      own: true,
      reports: [report("us-west-2", true)],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "down", votesDown: 2, voters: 2, route53Early: true },
    },
    {
      name: "the same with health-check routing: Route 53's vote counts (today's rule)",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: false },
      failingSince: early,
      arc: false,
      want: { status: "one-vantage", votesDown: 2, voters: 4, route53Early: false },
    },
    {
      name: "one replica cut off (the others up): outvoted, whatever Route 53's age",
      own: true,
      reports: [report("us-west-2", false), report("eu-west-1", false)],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "one-vantage", votesDown: 1, voters: 4, route53Early: false },
    },
    {
      name: "one replica alone (the others dead), Route 53 up: one vantage point never fails over",
      own: true,
      reports: [],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "one-vantage", votesDown: 1, voters: 2, route53Early: false },
    },
    {
      name: "one of two fresh replicas down: not a majority of replicas",
      own: true,
      reports: [report("us-west-2", false)],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "one-vantage", votesDown: 1, voters: 3, route53Early: false },
    },
    {
      name: "Route 53 has had its time and still sees the region up: its vote counts again",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: false },
      failingSince: late,
      arc: true,
      want: { status: "one-vantage", votesDown: 2, voters: 4, route53Early: false },
    },
    {
      name: "this replica sees the region up: Route 53's vote counts",
      own: false,
      reports: [report("us-west-2", true), report("eu-west-1", true)],
      route53: { down: false },
      failingSince: null,
      arc: true,
      want: { status: "up", votesDown: 2, voters: 4, route53Early: false },
    },
    {
      name: "Route 53 down too: it votes down, as before",
      own: true,
      reports: [report("us-west-2", true), report("eu-west-1", false)],
      route53: { down: true },
      failingSince: early,
      arc: true,
      want: { status: "down", votesDown: 3, voters: 4, route53Early: false },
    },
    {
      name: "a stale 'down' report does not make the majority",
      own: true,
      reports: [report("us-west-2", true, FRESH + 1), report("eu-west-1", false)],
      route53: { down: false },
      failingSince: early,
      arc: true,
      want: { status: "one-vantage", votesDown: 1, voters: 3, route53Early: false },
    },
  ])("$name", ({ own, reports, route53, failingSince, arc, want }) => {
    const v = quorumVerdict({
      region: "us-east-1",
      own: { voter: "ap-south-1", down: own },
      reports,
      route53,
      now: NOW,
      freshMs: FRESH,
      ...(arc ? { arc: { failingSince, route53DetectionMs: DETECT } } : {}),
    });
    expect({
      status: v.status,
      votesDown: v.votesDown,
      voters: v.voters,
      route53Early: v.route53Early,
    }).toEqual(want);
  });

  it("Route 53's checkers need their threshold of intervals and one timeout", () => {
    expect(route53DetectionMs({ intervalSeconds: 10, failureThreshold: 3, timeoutSeconds: 6 })).toBe(36_000);
    expect(route53DetectionMs({ intervalSeconds: 30, failureThreshold: 1, timeoutSeconds: 2 })).toBe(32_000);
  });

  it("says when Route 53's healthy was set aside", () => {
    const v = quorumVerdict({
      region: "us-east-1",
      own: { voter: "ap-south-1", down: true },
      reports: [report("us-west-2", true)],
      route53: { down: false },
      now: NOW,
      freshMs: FRESH,
      arc: { failingSince: NOW - 6_000, route53DetectionMs: DETECT },
    });
    expect(v.detail).toBe(
      "2 of 2 vantage points see us-east-1 down (this watcher down, 1 of 1 other replicas down, Route 53 up, too early to have seen the fault: no vote)",
    );
  });
});
