import { describe, expect, it } from "vitest";
import { auroraBackupRetention as policy } from "../../policy/policies/auroraBackupRetention";
import { goodStack, patch, violationsOf } from "./fixtures";

describe("aurora-backup-retention", () => {
  it("accepts 7 days and more", async () => {
    expect(
      await violationsOf([policy], patch(goodStack(), "us-west-2-db", { backupRetentionPeriod: 35 })),
    ).toEqual([]);
  });

  it("rejects a short retention and a missing one (RDS keeps 1 day)", async () => {
    const stack = goodStack();
    patch(stack, "us-east-1-db", { backupRetentionPeriod: 3 });
    patch(stack, "us-west-2-db", { backupRetentionPeriod: undefined });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.message])).toEqual([
      ["us-east-1-db", "backupRetentionPeriod is 3 days; at least 7 days are required."],
      ["us-west-2-db", "backupRetentionPeriod is not set (RDS keeps 1 day); at least 7 days are required."],
    ]);
  });

  it("takes the minimum from config", async () => {
    const v = await violationsOf([policy], goodStack(), { "aurora-backup-retention": { minDays: 14 } });
    expect(v).toHaveLength(3);
  });
});
