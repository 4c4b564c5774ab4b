import { describe, expect, it } from "vitest";
import { auroraEncryptionRegionalKms as policy } from "../../policy/policies/auroraEncryptionRegionalKms";
import { find, goodStack, patch, previewViolationsOf, UNKNOWN, violationsOf } from "./fixtures";

describe("aurora-encryption-regional-kms", () => {
  it("accepts clusters encrypted with their own region's key", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a secondary cluster that uses another region's key ARN", async () => {
    const stack = patch(goodStack(), "us-west-2-db", {
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/us-east-1-key",
    });
    const v = await violationsOf([policy], stack);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ enforcementLevel: "mandatory", resource: { name: "us-west-2-db" } });
    expect(v[0].message).toContain("is in us-east-1 but the cluster is in us-west-2");
  });

  it("follows the key dependency when the ARN is not known yet (preview of new keys)", async () => {
    const stack = goodStack();
    for (const r of stack.filter((x) => x.type === "aws:rds/cluster:Cluster"))
      patch(stack, r.name, { kmsKeyId: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);

    const secondary = find(stack, "us-west-2-db");
    secondary.propertyDependencies = {
      ...secondary.propertyDependencies,
      kmsKeyId: [find(stack, "us-east-1-db-key").urn],
    };
    const v = await previewViolationsOf([policy], stack);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ enforcementLevel: "mandatory", resource: { name: "us-west-2-db" } });
    expect(v[0].message).toContain("uses KMS key us-east-1-db-key, which is created in us-east-1");
  });

  it("rejects unencrypted storage, a missing key and the AWS managed key", async () => {
    const stack = goodStack();
    patch(stack, "us-east-1-db", { storageEncrypted: false });
    patch(stack, "us-west-2-db", { kmsKeyId: undefined });
    patch(stack, "eu-west-1-db", { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/aws/rds" });
    const messages = (await violationsOf([policy], stack)).map((v) => `${v.resource?.name}: ${v.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^us-east-1-db: storage is not encrypted/),
        expect.stringMatching(/^us-west-2-db: no customer managed KMS key/),
        expect.stringMatching(/^eu-west-1-db: .*AWS managed key/),
      ]),
    );
  });

  it("uses a resource's own region argument over its provider's", async () => {
    const stack = patch(goodStack(), "us-west-2-db", { region: "us-east-1" });
    const v = await violationsOf([policy], stack);
    expect(v[0].message).toContain("is in us-west-2 but the cluster is in us-east-1");
  });
});
