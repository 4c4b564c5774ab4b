import { describe, expect, it } from "vitest";
import { stackFailoverPrimary as policy } from "../../policy/policies/stackFailoverPrimary";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("stack-failover-primary", () => {
  it("accepts one PRIMARY record, on the writer region", async () => {
    expect(
      await violationsOf([policy], goodStack({ writer: "us-west-2" }), {}, { routing: "failover" }),
    ).toEqual([]);
  });

  it("rejects two PRIMARY records", async () => {
    const stack = patch(goodStack(), "eu-west-1-record", { failoverRoutingPolicies: [{ type: "PRIMARY" }] });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      "app.dev.example.com CNAME has 2 PRIMARY failover records (us-east-1-record, eu-west-1-record); exactly one is required.",
    ]);
  });

  it("rejects failover routing without a PRIMARY record", async () => {
    const stack = patch(goodStack(), "us-east-1-record", {
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
    });
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      "app.dev.example.com CNAME has 0 PRIMARY failover records; exactly one is required.",
    ]);
  });

  it("rejects a PRIMARY record that does not point at the writer region", async () => {
    const v = await violationsOf(
      [policy],
      goodStack({ writer: "us-east-1" }),
      {},
      { routing: "failover", writer: "us-west-2" },
    );
    expect(v.map((x) => x.message)).toEqual([
      "the PRIMARY record us-east-1-record points at us-east-1 but the writer region is us-west-2.",
    ]);
  });

  it("rejects failover routing with no failover records, and does not apply to latency routing", async () => {
    const stack = goodStack().filter((r) => r.type !== "aws:route53/record:Record");
    expect((await violationsOf([policy], stack, {}, { routing: "failover" })).map((x) => x.message)).toEqual([
      "routing is failover but the stack has no failover records, so no PRIMARY record.",
    ]);
    expect(await violationsOf([policy], stack, {}, { routing: "latency" })).toEqual([]);
  });
});
