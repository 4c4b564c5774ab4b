import { describe, expect, it } from "vitest";
import { strongConsistencyPlacementIssues } from "../../components/strongConsistencyRegions";

describe("strongConsistencyPlacementIssues", () => {
  it.each([
    { regions: ["us-east-1", "us-east-2", "us-west-2"], witness: undefined },
    { regions: ["eu-west-1", "eu-west-3"], witness: "eu-central-1" },
    { regions: ["ap-northeast-3", "ap-northeast-1", "ap-northeast-2"], witness: undefined },
  ])("accepts $regions with witness $witness", ({ regions, witness }) => {
    expect(strongConsistencyPlacementIssues(regions, witness)).toEqual([]);
  });

  it.each([
    {
      regions: ["us-east-1", "us-east-2"],
      witness: undefined,
      issues: [{ field: "regions", message: "needs exactly 3 replica regions (or 2 and a witness), got 2" }],
    },
    {
      regions: ["us-east-1", "us-east-2", "us-west-2", "us-east-1"],
      witness: undefined,
      issues: [
        { field: "regions", message: "needs exactly 3 replica regions (or 2 and a witness), got 4" },
        { field: "regions[3]", message: "duplicate region us-east-1" },
      ],
    },
    {
      regions: ["us-east-1", "us-east-2"],
      witness: "us-east-1",
      issues: [{ field: "witness", message: "duplicate region us-east-1" }],
    },
    {
      regions: ["us-east-1", "us-east-2", "eu-west-1"],
      witness: undefined,
      issues: [{ field: "regions", message: "replica regions must share one Region set, got EU and US" }],
    },
    {
      regions: ["eu-west-1", "eu-west-2"],
      witness: "ap-northeast-1",
      issues: [
        { field: "witness", message: "replicas and witness must share one Region set, got AP and EU" },
      ],
    },
  ])("refuses $regions with witness $witness", ({ regions, witness, issues }) => {
    expect(strongConsistencyPlacementIssues(regions, witness)).toEqual(issues);
  });

  it("names a region outside every strong-consistency Region set", () => {
    const [issue] = strongConsistencyPlacementIssues(["us-east-1", "us-east-2", "us-west-1"], undefined);
    expect(issue.field).toBe("regions[2]");
    expect(issue.message).toMatch(
      /^us-west-1 is in no Region set that supports multi-Region strong consistency/,
    );
  });
});
