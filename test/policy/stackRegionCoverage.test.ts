import { describe, expect, it } from "vitest";
import { stackRegionCoverage as policy } from "../../policy/policies/stackRegionCoverage";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("stack-region-coverage", () => {
  it("accepts a stack where every region has its app, database member and health check", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("names what a region lacks", async () => {
    const stack = goodStack().filter(
      (r) => !["us-west-2-app-blue", "us-west-2-app-green", "eu-west-1-health"].includes(r.name),
    );
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-west-2: region us-west-2 is missing an application Deployment.",
      "eu-west-1: region eu-west-1 is missing a Route 53 health check.",
    ]);
  });

  it("requires the region's cluster to be a member of the global cluster", async () => {
    const v = await violationsOf(
      [policy],
      patch(goodStack(), "eu-west-1-db", { globalClusterIdentifier: undefined }).map((r) =>
        r.name === "eu-west-1-db" ? { ...r, propertyDependencies: {} } : r,
      ),
    );
    expect(v.map((x) => x.message)).toEqual([
      "region eu-west-1 is missing an Aurora cluster that is a member of the global cluster.",
    ]);
  });

  it("checks the configured regions, including one the program forgot", async () => {
    const v = await violationsOf(
      [policy],
      goodStack({ regions: ["us-east-1", "us-west-2"] }),
      {},
      {
        regions: ["us-east-1", "us-west-2", "ap-southeast-2"],
      },
    );
    expect(v.map((x) => [x.resource, x.message])).toEqual([
      [
        undefined,
        "region ap-southeast-2 is missing an application Deployment, an Aurora cluster, a Route 53 health check.",
      ],
    ]);
  });
});
