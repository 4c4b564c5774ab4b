import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

/**
 * Two sync runs of one region at once would both read from the same watermark and apply the same
 * batches twice; `Forbid` makes Kubernetes skip a run while the previous one is still going.
 * Kubernetes defaults to `Allow`, so the field must be set. Every CronJob regionctl creates is a
 * sync job.
 */
export const kubernetesSyncCronJobForbid: ResourceValidationPolicy = {
  name: "kubernetes-sync-cronjob-forbid",
  description: "Sync CronJobs use concurrencyPolicy: Forbid.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    if (args.type !== T.cronJob) return;
    const spec = prop(args.props, "spec");
    if (spec.state !== "known") return;
    const policy = prop((spec.value ?? {}) as Record<string, unknown>, "concurrencyPolicy");
    if (policy.state === "pending") return;
    if (policy.state === "absent") {
      report("spec.concurrencyPolicy is not set (Kubernetes defaults to Allow); set it to Forbid.");
    } else if (policy.value !== "Forbid") {
      report(`spec.concurrencyPolicy is ${String(policy.value)}; sync jobs must use Forbid.`);
    }
  },
};
