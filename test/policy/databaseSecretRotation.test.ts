import { describe, expect, it } from "vitest";
import { databaseSecretRotation as policy } from "../../policy/policies/databaseSecretRotation";
import { find, goodStack, patch, res, violationsOf } from "./fixtures";

const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const SECRET = "aws:secretsmanager/secret:Secret";

describe("database-secret-rotation", () => {
  it("accepts a secret the controller rotates", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("flags a secret nothing rotates as advisory", async () => {
    const v = await violationsOf([policy], patch(goodStack(), "db-secret", { tags: undefined }));
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([["db-secret", "advisory"]]);
  });

  it("accepts a SecretRotation of the secret", async () => {
    const stack = patch(goodStack(), "db-secret", { tags: { team: "shop" } });
    stack.push(
      res(
        ROTATION,
        "db-secret-rotation",
        { secretId: "x", rotationRules: { automaticallyAfterDays: 30 } },
        { propertyDependencies: { secretId: [find(stack, "db-secret").urn] } },
      ),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("does not count a rotation of another secret", async () => {
    const stack = patch(goodStack(), "db-secret", { tags: undefined });
    const other = res(SECRET, "api-token", { name: "shop/api-token" });
    stack.push(
      other,
      res(ROTATION, "r", { secretId: "x" }, { propertyDependencies: { secretId: [other.urn] } }),
    );
    expect((await violationsOf([policy], stack)).map((x) => x.resource?.name)).toEqual(["db-secret"]);
  });
});
