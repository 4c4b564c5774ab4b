import { describe, expect, it } from "vitest";
import { databaseSecretReplicated as policy } from "../../policy/policies/databaseSecretReplicated";
import { goodStack, patch, previewViolationsOf, res, UNKNOWN, violationsOf } from "./fixtures";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("database-secret-replicated", () => {
  it("accepts a secret at home in one region and replicated to the others", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a region without a replica", async () => {
    const stack = patch(goodStack(), "db-secret", {
      replicas: [{ region: "us-west-2", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/k" }],
    });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([["db-secret", "mandatory"]]);
    expect(v[0].message).toBe(
      "secret db-secret has no replica in eu-west-1; apps there cannot read it while us-east-1 is down.",
    );
  });

  it("finds the database secret by its value when it has another name", async () => {
    const stack = patch(goodStack(), "db-secret", { name: "shop/db", replicas: undefined });
    const secret = stack.find((r) => r.name === "db-secret");
    const password = stack.find((r) => r.name === "db-password");
    if (secret === undefined || password === undefined) throw new Error("fixture changed");
    stack.push(
      res(
        SECRET_VERSION,
        "db-secret-value",
        { secretId: "x", secretString: "{}" },
        { propertyDependencies: { secretId: [secret.urn], secretString: [password.urn] } },
      ),
    );
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      "secret db-secret has no replica in eu-west-1, us-west-2; apps there cannot read it while us-east-1 is down.",
    ]);
  });

  it("waits for replicas computed later in a preview", async () => {
    const stack = patch(goodStack(), "db-secret", { replicas: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
