import { BatchV1Api, CoreV1Api, type KubeConfig, type V1CronJob, type V1Job } from "@kubernetes/client-node";
import { SYNC_NAME, SYNC_RUN_DEADLINE_SECONDS } from "../../../components/syncJobSpec";
import type { Clock, SyncJobs, SyncRunResult } from "../../ports";

/**
 * Runs a region's sync CronJob now, as a Job made from its template (what `kubectl create job
 * --from=cronjob/sync` does), and follows it to completion or failure.
 *
 * The watermark the run reached comes from the sync program itself, by either of two contracts:
 * - the Job annotation `regionctl.io/sync-watermark` (a program allowed to patch its own Job), or
 * - a log line `regionctl-sync watermark=<ISO time>`; the last such line of the Job's pod wins.
 */
export const WATERMARK_ANNOTATION = "regionctl.io/sync-watermark";
const WATERMARK_LINE = /^regionctl-sync watermark=(\S+)\s*$/;

export interface KubernetesSyncJobsOptions {
  /** The kubeconfig of a region's cluster. */
  readonly kubeConfig: (region: string) => KubeConfig;
  readonly namespace: string;
  /** Default `sync`, the CronJob the stack creates. */
  readonly cronJobName?: string;
  readonly clock: Clock;
  /** Milliseconds between Job status reads. Default 5000. */
  readonly pollMs?: number;
  /** Milliseconds before a run counts as failed. Default: the Job's own deadline plus a minute. */
  readonly timeoutMs?: number;
}

/** Reads the watermark from a sync pod's log: the last `regionctl-sync watermark=` line. */
export function watermarkFromLog(log: string): string | null {
  let found: string | null = null;
  for (const line of log.split(/\r?\n/)) {
    const m = WATERMARK_LINE.exec(line.trim());
    if (m !== null && !Number.isNaN(Date.parse(m[1]))) found = m[1];
  }
  return found;
}

/** The Job a manual run creates: the CronJob's template, owned by the CronJob so history limits apply. */
export function jobFromCronJob(cron: V1CronJob, name: string): V1Job {
  const template = cron.spec?.jobTemplate;
  if (template?.spec === undefined)
    throw new Error(`CronJob ${cron.metadata?.name ?? "?"} has no job template`);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: cron.metadata?.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        "cronjob.kubernetes.io/instantiate": "manual",
      },
      ownerReferences:
        cron.metadata?.uid === undefined
          ? undefined
          : [
              {
                apiVersion: "batch/v1",
                kind: "CronJob",
                name: cron.metadata.name ?? SYNC_NAME,
                uid: cron.metadata.uid,
              },
            ],
    },
    spec: template.spec,
  };
}

function jobOutcome(job: V1Job): "running" | "succeeded" | "failed" {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string): boolean => conditions.some((c) => c.type === type && c.status === "True");
  if (holds("Complete") || (job.status?.succeeded ?? 0) > 0) return "succeeded";
  if (holds("Failed")) return "failed";
  return "running";
}

function failureText(job: V1Job): string {
  const c = (job.status?.conditions ?? []).find((x) => x.type === "Failed" && x.status === "True");
  return c === undefined ? "the Job failed" : `${c.reason ?? "Failed"}: ${c.message ?? "the Job failed"}`;
}

export function kubernetesSyncJobs(options: KubernetesSyncJobsOptions): SyncJobs {
  const cronJobName = options.cronJobName ?? SYNC_NAME;
  const pollMs = options.pollMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? (SYNC_RUN_DEADLINE_SECONDS + 60) * 1000;
  const { namespace, clock } = options;

  /** Creates the Job from the CronJob's template; returns its name. */
  async function createJob(batch: BatchV1Api): Promise<string> {
    const cron = await batch.readNamespacedCronJob({ name: cronJobName, namespace });
    const name = `${cronJobName}-manual-${clock.now().toString(36)}`;
    await batch.createNamespacedJob({ namespace, body: jobFromCronJob(cron, name) });
    return name;
  }

  return {
    async trigger(region) {
      return createJob(options.kubeConfig(region).makeApiClient(BatchV1Api));
    },

    async run(region, signal): Promise<SyncRunResult> {
      const kc = options.kubeConfig(region);
      const batch = kc.makeApiClient(BatchV1Api);
      const core = kc.makeApiClient(CoreV1Api);
      const name = await createJob(batch);

      const deadline = clock.now() + timeoutMs;
      let job: V1Job;
      for (;;) {
        signal?.throwIfAborted();
        job = await batch.readNamespacedJobStatus({ name, namespace });
        const outcome = jobOutcome(job);
        if (outcome === "failed")
          return { ok: false, watermark: null, detail: `Job ${name}: ${failureText(job)}` };
        if (outcome === "succeeded") break;
        if (clock.now() >= deadline) {
          return {
            ok: false,
            watermark: null,
            detail: `Job ${name} did not finish within ${Math.round(timeoutMs / 1000)} s`,
          };
        }
        await clock.sleep(pollMs, signal);
      }

      const watermark =
        job.metadata?.annotations?.[WATERMARK_ANNOTATION] ?? (await watermarkFromPods(core, namespace, name));
      return {
        ok: true,
        watermark,
        detail: `Job ${name} completed${watermark === null ? " without reporting a watermark" : ""}`,
      };
    },
  };
}

async function watermarkFromPods(core: CoreV1Api, namespace: string, job: string): Promise<string | null> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
  const succeeded = pods.items
    .filter((p) => p.status?.phase === "Succeeded" && p.metadata?.name !== undefined)
    .sort(
      (a, b) =>
        (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0),
    );
  const pod = succeeded.at(-1);
  if (pod === undefined) return null;
  const log = await core.readNamespacedPodLog({ name: pod.metadata?.name as string, namespace });
  return watermarkFromLog(log);
}
