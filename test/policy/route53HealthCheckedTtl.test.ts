import { describe, expect, it } from "vitest";
import { route53HealthCheckedTtl as policy } from "../../policy/policies/route53HealthCheckedTtl";
import { goodStack, patch, res, violationsOf } from "./fixtures";

describe("route53-health-checked-ttl", () => {
  it("accepts TTL 60 on health-checked records and any TTL on plain records", async () => {
    const stack = goodStack();
    stack.push(
      res("aws:route53/record:Record", "plain", { name: "www", type: "CNAME", ttl: 3600, records: ["x"] }),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("rejects TTL 300 on a health-checked record", async () => {
    const v = await violationsOf([policy], patch(goodStack(), "us-east-1-record", { ttl: 300 }));
    expect(v).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        resource: expect.objectContaining({ name: "us-east-1-record" }),
      }),
    ]);
    expect(v[0].message).toMatch(/^ttl 300 is above 60 s/);
  });

  it("rejects a long TTL on a routed record even without its health check", async () => {
    const v = await violationsOf(
      [policy],
      patch(goodStack(), "us-west-2-record", { ttl: 120, healthCheckId: undefined }),
    );
    expect(v.map((x) => x.resource?.name)).toEqual(["us-west-2-record"]);
  });

  it("takes the limit from config", async () => {
    const stack = patch(goodStack(), "us-east-1-record", { ttl: 30 });
    expect(
      await violationsOf([policy], stack, { "route53-health-checked-ttl": { maxTtl: 20 } }),
    ).toHaveLength(3);
  });
});
