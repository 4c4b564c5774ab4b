import { describe, expect, it } from "vitest";
import { route53HealthCheckTiming as policy } from "../../policy/policies/route53HealthCheckTiming";
import { goodStack, patch, res, violationsOf } from "./fixtures";

async function messages(inputs: Record<string, unknown>, config = {}): Promise<string[]> {
  const stack = patch(goodStack({ regions: ["us-east-1", "us-west-2"] }), "us-west-2-health", inputs);
  return (await violationsOf([policy], stack, config)).map((v) => v.message);
}

describe("route53-health-check-timing", () => {
  it("accepts 10 s x 3 and 30 s x 3", async () => {
    expect(await messages({})).toEqual([]);
    expect(await messages({ requestInterval: 30, failureThreshold: 3 })).toEqual([]);
  });

  it("rejects what Route 53 does not allow", async () => {
    expect(await messages({ requestInterval: 15 })).toEqual([
      "requestInterval 15 is not allowed by Route 53 (10 or 30 seconds).",
    ]);
    expect(await messages({ failureThreshold: 11 })).toEqual([
      "failureThreshold 11 is not allowed by Route 53 (1 to 10).",
      "detection takes 110 s (requestInterval 10 x failureThreshold 11); the project allows at most 90 s.",
    ]);
    expect(await messages({ regions: ["us-east-1", "eu-west-1"] })).toEqual([
      "regions lists 2 checker regions; Route 53 needs at least 3.",
    ]);
  });

  it("rejects what the project's bounds do not allow, and takes the bounds from config", async () => {
    expect(await messages({ failureThreshold: 1 })).toEqual([
      "failureThreshold 1 is outside the project's bounds (2 to 5).",
    ]);
    expect(await messages({ requestInterval: 30, failureThreshold: 5 })).toEqual([
      "detection takes 150 s (requestInterval 30 x failureThreshold 5); the project allows at most 90 s.",
    ]);
    expect(
      await messages(
        { requestInterval: 30, failureThreshold: 5 },
        { "route53-health-check-timing": { maxDetectionSeconds: 150 } },
      ),
    ).toEqual([]);
  });

  it("uses Route 53's defaults (30 s, 3) for unset fields and skips calculated checks", async () => {
    expect(await messages({ requestInterval: undefined, failureThreshold: undefined })).toEqual([]);
    const stack = goodStack({ regions: ["us-east-1", "us-west-2"] });
    stack.push(
      res("aws:route53/healthCheck:HealthCheck", "all", { type: "CALCULATED", childHealthThreshold: 1 }),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });
});
