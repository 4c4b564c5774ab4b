import { describe, expect, it } from "vitest";
import { stackFailoverSecondary as policy } from "../../policy/policies/stackFailoverSecondary";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("stack-failover-secondary", () => {
  it("accepts a failover name with a PRIMARY and SECONDARY records", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a PRIMARY whose name has no SECONDARY", async () => {
    let stack = goodStack();
    for (const region of ["us-west-2", "eu-west-1"]) {
      stack = patch(stack, `${region}-record`, { failoverRoutingPolicies: undefined, ttl: 60 });
    }
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.message, x.enforcementLevel])).toEqual([
      ["app.dev.example.com has a PRIMARY failover record but no SECONDARY one.", "mandatory"],
    ]);
  });

  it("does not apply to a single region", async () => {
    const stack = goodStack({ regions: ["us-east-1"] });
    expect(await violationsOf([policy], stack)).toEqual([]);
  });
});
