import { describe, expect, it } from "vitest";
import { policies } from "../../policy/allPolicies";
import { controlPlaneWatcherRegions as policy } from "../../policy/policies/controlPlaneWatcherRegions";
import { find, goodStack, violationsOf } from "./fixtures";

describe("control-plane-watcher-regions", () => {
  it("accepts a stack without watchers, and watchers in two or three regions", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
    expect(await violationsOf([policy], goodStack({ watchers: ["us-east-1", "us-west-2"] }))).toEqual([]);
    expect(
      await violationsOf([policy], goodStack({ watchers: ["us-east-1", "us-west-2", "eu-west-1"] })),
    ).toEqual([]);
  });

  it("rejects watchers that all run in one region, naming it", async () => {
    const v = await violationsOf([policy], goodStack({ watchers: ["us-east-1"] }));
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(/run in 1 region\(s\) \(us-east-1\); at least 2 are required/),
    ]);
  });

  it("counts regions, not replicas", async () => {
    const stack = goodStack({ watchers: ["us-east-1", "us-west-2"] });
    const second = find(stack, "us-west-2-watcher-deployment");
    (second.inputs.metadata as { labels: Record<string, string> }).labels["regionctl.io/region"] =
      "us-east-1";
    expect(await violationsOf([policy], stack)).toHaveLength(1);
  });

  it("takes a higher minimum from its config", async () => {
    const two = goodStack({ watchers: ["us-east-1", "us-west-2"] });
    const v = await violationsOf([policy], two, { "control-plane-watcher-regions": { minRegions: 3 } });
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/at least 3 are required/)]);
  });

  it("reports a watcher whose region it cannot read", async () => {
    const stack = goodStack({ watchers: ["us-east-1", "us-west-2"] });
    delete (find(stack, "us-west-2-watcher-deployment").inputs.metadata as { labels: Record<string, string> })
      .labels["regionctl.io/region"];
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(/us-west-2-watcher-deployment has no regionctl.io\/region label/),
      expect.stringMatching(/run in 1 region\(s\)/),
    ]);
  });

  it("is in the pack, and the rest of the pack accepts the watchers the program renders", async () => {
    expect(policies).toContain(policy);
    expect(
      await violationsOf(policies, goodStack({ watchers: ["us-east-1", "us-west-2", "eu-west-1"] })),
    ).toEqual([]);
  });
});
