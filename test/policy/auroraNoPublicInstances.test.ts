import { describe, expect, it } from "vitest";
import { auroraNoPublicInstances as policy } from "../../policy/policies/auroraNoPublicInstances";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("aurora-no-public-instances", () => {
  it("accepts private instances, and instances that leave the flag unset (private by default)", async () => {
    expect(
      await violationsOf([policy], patch(goodStack(), "us-east-1-db-0", { publiclyAccessible: undefined })),
    ).toEqual([]);
  });

  it("rejects a public instance", async () => {
    const v = await violationsOf(
      [policy],
      patch(goodStack(), "eu-west-1-db-1", { publiclyAccessible: true }),
    );
    expect(v).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        resource: expect.objectContaining({ name: "eu-west-1-db-1" }),
      }),
    ]);
    expect(v[0].message).toContain("publiclyAccessible is true");
  });
});
