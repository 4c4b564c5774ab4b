import { describe, expect, it } from "vitest";
import { auroraAdminUsername as policy } from "../../policy/policies/auroraAdminUsername";
import { goodStack, patch, previewViolationsOf, UNKNOWN, violationsOf } from "./fixtures";

describe("aurora-admin-username", () => {
  it("accepts a chosen name, and secondaries that carry none", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it.each(["postgres", "admin", "Root"])("flags the default name %s as advisory", async (name) => {
    const v = await violationsOf([policy], patch(goodStack(), "us-east-1-db", { masterUsername: name }));
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([["us-east-1-db", "advisory"]]);
    expect(v[0].message).toContain(`"${name}"`);
  });

  it("takes the forbidden names from the pack config", async () => {
    const stack = goodStack();
    const config = { "aurora-admin-username": { forbiddenNames: ["regionctl"] } };
    expect((await violationsOf([policy], stack, config)).map((x) => x.resource?.name)).toEqual([
      "us-east-1-db",
    ]);
  });

  it("waits for a name computed later in a preview", async () => {
    const stack = patch(goodStack(), "us-east-1-db", { masterUsername: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
