import { describe, expect, it } from "vitest";
import { databaseSecretCmk as policy } from "../../policy/policies/databaseSecretCmk";
import { goodStack, patch, previewViolationsOf, res, UNKNOWN, violationsOf } from "./fixtures";

const SECRET = "aws:secretsmanager/secret:Secret";

describe("database-secret-cmk", () => {
  it("accepts the secret and its replicas on the regions' own keys", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects the AWS managed key at home, by default or by alias", async () => {
    for (const kmsKeyId of [undefined, "alias/aws/secretsmanager"]) {
      const v = await violationsOf([policy], patch(goodStack(), "db-secret", { kmsKeyId }));
      expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([["db-secret", "mandatory"]]);
      expect(v[0].message).toContain("uses the AWS managed key");
    }
  });

  it("rejects a replica without its own key", async () => {
    const stack = patch(goodStack(), "db-secret", {
      replicas: [
        { region: "us-west-2", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/k" },
        { region: "eu-west-1" },
      ],
    });
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      "secret db-secret: the replica in eu-west-1 uses the AWS managed key; give it that region's customer-managed key.",
    ]);
  });

  it("judges only the database's secret", async () => {
    const stack = goodStack();
    stack.push(res(SECRET, "api-token", { name: "shop/api-token" }));
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("waits for a key computed later in a preview", async () => {
    const stack = patch(goodStack(), "db-secret", { kmsKeyId: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
