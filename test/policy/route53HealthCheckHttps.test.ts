import { describe, expect, it } from "vitest";
import { route53HealthCheckHttps as policy } from "../../policy/policies/route53HealthCheckHttps";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("route53-health-check-https", () => {
  it("accepts HTTPS and HTTPS_STR_MATCH", async () => {
    expect(
      await violationsOf([policy], patch(goodStack(), "us-west-2-health", { type: "HTTPS_STR_MATCH" })),
    ).toEqual([]);
  });

  it("rejects HTTP and TCP checks", async () => {
    const stack = goodStack();
    patch(stack, "us-east-1-health", { type: "HTTP", port: 80 });
    patch(stack, "eu-west-1-health", { type: "TCP" });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-east-1-health: health check type is HTTP; use HTTPS (or HTTPS_STR_MATCH).",
      "eu-west-1-health: health check type is TCP; use HTTPS (or HTTPS_STR_MATCH).",
    ]);
  });
});
