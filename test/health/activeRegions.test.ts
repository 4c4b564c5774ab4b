import { describe, expect, it } from "vitest";
import { getActiveRegions } from "../../automation/health/activeRegions";
import { drConfig, drState, view } from "../plans/failoverFixtures";

describe("getActiveRegions", () => {
  const regions = drConfig(5).regions.map((r) => r.region);

  it("lists active and healthy regions, the writer first, then by priority, then in config order", () => {
    const config = drConfig(5, {
      regions: drConfig(5).regions.map((r) => ({
        ...r,
        ...(r.region === "ap-southeast-2" ? { priority: 1 } : {}),
      })),
    });
    const state = drState(config, { writer: "eu-west-1" });
    expect(getActiveRegions(config, state, view(config))).toEqual([
      "eu-west-1",
      "ap-southeast-2",
      "us-east-1",
      "us-west-2",
      "eu-central-1",
    ]);
  });

  it("leaves out unhealthy, flapping, drained and excluded regions", () => {
    const config = drConfig(5);
    const state = drState(config, {
      regions: { "eu-central-1": { drained: true }, "ap-southeast-2": { excluded: true, drained: true } },
    });
    const active = getActiveRegions(
      config,
      state,
      view(config, { "us-west-2": "down", "eu-west-1": "flapping" }),
    );
    expect(active).toEqual(["us-east-1"]);
    expect(regions).toHaveLength(5);
  });

  it("a writer that is down is not active, and the order of the rest is kept", () => {
    const config = drConfig(3);
    expect(getActiveRegions(config, drState(config), view(config, { "us-east-1": "down" }))).toEqual([
      "us-west-2",
      "eu-west-1",
    ]);
  });
});
