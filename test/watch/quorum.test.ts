import { describe, expect, it } from "vitest";
import { type VantageReport, quorumVerdict } from "../../automation/watch/quorum";

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
