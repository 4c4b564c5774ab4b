import { describe, expect, it } from "vitest";
import {
  auroraDeletionProtection,
  auroraDeletionProtectionNonProd,
} from "../../policy/policies/auroraDeletionProtection";
import { goodStack, patch, violationsOf } from "./fixtures";

const policies = [auroraDeletionProtection, auroraDeletionProtectionNonProd];

describe("aurora-deletion-protection", () => {
  it("accepts protected clusters in every environment", async () => {
    expect(await violationsOf(policies, goodStack({ environment: "prod" }))).toEqual([]);
    expect(await violationsOf(policies, goodStack({ environment: "dev" }))).toEqual([]);
  });

  it("blocks an unprotected cluster in prod", async () => {
    const stack = patch(goodStack({ environment: "prod" }), "us-west-2-db", { deletionProtection: false });
    const v = await violationsOf(policies, stack);
    expect(v).toEqual([
      expect.objectContaining({
        policy: "aurora-deletion-protection",
        enforcementLevel: "mandatory",
        resource: expect.objectContaining({ name: "us-west-2-db" }),
      }),
    ]);
    expect(v[0].message).toContain("environment prod");
  });

  it("only advises on an unprotected global cluster outside prod", async () => {
    const stack = patch(goodStack({ environment: "dev" }), "dev-global", { deletionProtection: undefined });
    const v = await violationsOf(policies, stack);
    expect(v).toEqual([
      expect.objectContaining({ policy: "aurora-deletion-protection-nonprod", enforcementLevel: "advisory" }),
    ]);
  });

  it("takes the production environments and the environment from config", async () => {
    const stack = patch(goodStack({ environment: "staging" }), "us-east-1-db", { deletionProtection: false });
    const asProd = await violationsOf(policies, stack, {
      "aurora-deletion-protection": { prodEnvironments: ["prod", "staging"] },
      "aurora-deletion-protection-nonprod": { prodEnvironments: ["prod", "staging"] },
    });
    expect(asProd.map((v) => v.enforcementLevel)).toEqual(["mandatory"]);
    const named = await violationsOf(policies, stack, {}, { environment: "prod" });
    expect(named.map((v) => v.policy)).toEqual(["aurora-deletion-protection"]);
  });

  it("treats a cluster whose environment cannot be told as production", async () => {
    const stack = patch(goodStack(), "us-east-1-db", {
      deletionProtection: false,
      clusterIdentifier: "orders",
    });
    const v = await violationsOf(policies, stack);
    expect(v.map((x) => [x.policy, x.enforcementLevel])).toEqual([
      ["aurora-deletion-protection", "mandatory"],
    ]);
  });
});
