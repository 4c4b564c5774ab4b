import { describe, expect, it } from "vitest";
import { auroraGlobalEngineVersions as policy } from "../../policy/policies/auroraGlobalEngineVersions";
import { find, goodStack, patch, previewViolationsOf, UNKNOWN, violationsOf } from "./fixtures";

describe("aurora-global-engine-versions", () => {
  it("accepts members on one version", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a member on another version, naming each group", async () => {
    const v = await violationsOf([policy], patch(goodStack(), "eu-west-1-db", { engineVersion: "15.8" }));
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([["dev-global", "mandatory"]]);
    expect(v[0].message).toBe(
      "global cluster dev-global has members on different engine versions: aurora-postgresql 15.8 (eu-west-1-db); aurora-postgresql 16.4 (us-east-1-db, us-west-2-db).",
    );
  });

  it("does not compare clusters of different global clusters", async () => {
    const stack = patch(goodStack(), "eu-west-1-db", {
      engineVersion: "15.8",
      globalClusterIdentifier: "other",
    });
    find(stack, "eu-west-1-db").propertyDependencies = {};
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("ignores a version computed later in a preview", async () => {
    const stack = patch(goodStack(), "eu-west-1-db", { engineVersion: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
