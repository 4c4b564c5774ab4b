import { describe, expect, it } from "vitest";
import { auroraGlobalClusterRegions as policy } from "../../policy/policies/auroraGlobalClusterRegions";
import { find, goodStack, violationsOf } from "./fixtures";

describe("aurora-global-cluster-regions", () => {
  it("accepts one member in each of several regions", async () => {
    expect(await violationsOf([policy], goodStack({ regions: ["us-east-1", "us-west-2"] }))).toEqual([]);
  });

  it("rejects a global cluster confined to one region", async () => {
    const stack = goodStack({ regions: ["us-east-1", "us-west-2"] }).filter((r) => r.name !== "us-west-2-db");
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      "global cluster dev-global spans 1 region(s) (us-east-1); at least 2 are required.",
    ]);
    expect(v[0].resource?.name).toBe("dev-global");
  });

  it("rejects two members in one region", async () => {
    const stack = goodStack();
    const extra = structuredClone(find(stack, "eu-west-1-db"));
    stack.push({ ...extra, name: "eu-west-1-db-extra", urn: `${extra.urn}-extra` });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      "global cluster dev-global has 2 members in eu-west-1 (eu-west-1-db, eu-west-1-db-extra); at most one per region.",
    ]);
  });
});
