import { describe, expect, it } from "vitest";
import { kubernetesSyncCronJobForbid as policy } from "../../policy/policies/kubernetesSyncCronJobForbid";
import { find, goodStack, violationsOf } from "./fixtures";

function setConcurrency(stack: ReturnType<typeof goodStack>, name: string, value: string | undefined): void {
  const spec = find(stack, name).inputs.spec as Record<string, unknown>;
  if (value === undefined) delete spec.concurrencyPolicy;
  else spec.concurrencyPolicy = value;
}

describe("kubernetes-sync-cronjob-forbid", () => {
  it("accepts sync CronJobs with Forbid", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects Allow, Replace and the unset default", async () => {
    const stack = goodStack({ regions: ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"] });
    setConcurrency(stack, "us-west-2-sync", "Allow");
    setConcurrency(stack, "eu-west-1-sync", "Replace");
    setConcurrency(stack, "eu-central-1-sync", undefined);
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-west-2-sync: spec.concurrencyPolicy is Allow; sync jobs must use Forbid.",
      "eu-west-1-sync: spec.concurrencyPolicy is Replace; sync jobs must use Forbid.",
      "eu-central-1-sync: spec.concurrencyPolicy is not set (Kubernetes defaults to Allow); set it to Forbid.",
    ]);
  });
});
