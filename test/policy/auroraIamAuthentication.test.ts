import { describe, expect, it } from "vitest";
import { auroraIamAuthentication as policy } from "../../policy/policies/auroraIamAuthentication";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("aurora-iam-authentication", () => {
  it("accepts clusters with IAM database authentication", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("advises on a cluster without it", async () => {
    const stack = patch(goodStack(), "us-west-2-db", { iamDatabaseAuthenticationEnabled: false });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel, x.message])).toEqual([
      ["us-west-2-db", "advisory", "iamDatabaseAuthenticationEnabled is not true."],
    ]);
  });
});
