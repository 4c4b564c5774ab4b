import { describe, expect, it } from "vitest";
import { route53RoutedRecordsHealthChecked as policy } from "../../policy/policies/route53RoutedRecordsHealthChecked";
import { goodStack, patch, res, violationsOf } from "./fixtures";

describe("route53-routed-records-health-checked", () => {
  it("accepts health-checked records, plain records and target-health aliases", async () => {
    const stack = goodStack();
    stack.push(
      res("aws:route53/record:Record", "plain", { name: "www", type: "CNAME", ttl: 300, records: ["x"] }),
    );
    stack.push(
      res("aws:route53/record:Record", "secondary-alias", {
        name: "app",
        type: "A",
        setIdentifier: "secondary",
        failoverRoutingPolicies: [{ type: "SECONDARY" }],
        aliases: [{ name: "secondaries.app", zoneId: "Z1", evaluateTargetHealth: true }],
      }),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("rejects failover, latency and weighted records without a health check", async () => {
    const stack = patch(goodStack(), "us-west-2-record", { healthCheckId: undefined });
    stack.push(
      res("aws:route53/record:Record", "lat", { latencyRoutingPolicies: [{ region: "eu-west-1" }], ttl: 60 }),
    );
    stack.push(
      res("aws:route53/record:Record", "wgt", { weightedRoutingPolicies: [{ weight: 10 }], ttl: 60 }),
    );
    stack.push(
      res("aws:route53/record:Record", "alias-blind", {
        failoverRoutingPolicies: [{ type: "SECONDARY" }],
        aliases: [{ name: "x", zoneId: "Z1", evaluateTargetHealth: false }],
      }),
    );
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-west-2-record: failover record has no health check: set healthCheckId (or, for an alias, evaluateTargetHealth: true).",
      "lat: latency record has no health check: set healthCheckId (or, for an alias, evaluateTargetHealth: true).",
      "wgt: weighted record has no health check: set healthCheckId (or, for an alias, evaluateTargetHealth: true).",
      "alias-blind: failover record has no health check: set healthCheckId (or, for an alias, evaluateTargetHealth: true).",
    ]);
  });
});
