import type { batch } from "@pulumi/kubernetes/types/input";
import {
  APP_SERVICE_ACCOUNT,
  type EnvVar,
  RESTRICTED_CONTAINER_CONTEXT,
  RESTRICTED_POD_CONTEXT,
  SCRATCH_VOLUME,
} from "./appSpec";

/**
 * The CronJob of a secondary region's sync, as a plain spec. A failed run is retried by the next
 * scheduled run (a failed sync retries 5 minutes later), never left in an error state for good.
 */

export const SYNC_NAME = "sync";
/** Finished Jobs kept for inspection; older ones are deleted. */
export const SYNC_HISTORY_LIMIT = 3;
/** Pod retries inside one run before the run counts as failed. */
export const SYNC_BACKOFF_LIMIT = 2;
/** A hung run is killed after this long, so Forbid cannot block every later run. */
export const SYNC_RUN_DEADLINE_SECONDS = 1800;

export interface SyncJobSettings {
  readonly schedule: string;
  readonly batchSize: number;
  readonly sourceRegion: string;
  readonly targetRegion: string;
  readonly image: string;
  readonly retrySeconds: number;
  readonly env: readonly EnvVar[];
}

export function syncLabels(targetRegion: string): Record<string, string> {
  return { "app.kubernetes.io/name": SYNC_NAME, "regionctl.io/target-region": targetRegion };
}

export function cronJobSpec(s: SyncJobSettings): batch.v1.CronJobSpec {
  return {
    schedule: s.schedule,
    concurrencyPolicy: "Forbid",
    // A run that could not start within one retry interval is skipped rather than piled up.
    startingDeadlineSeconds: s.retrySeconds,
    successfulJobsHistoryLimit: SYNC_HISTORY_LIMIT,
    failedJobsHistoryLimit: SYNC_HISTORY_LIMIT,
    jobTemplate: {
      metadata: { labels: syncLabels(s.targetRegion) },
      spec: {
        backoffLimit: SYNC_BACKOFF_LIMIT,
        activeDeadlineSeconds: SYNC_RUN_DEADLINE_SECONDS,
        template: {
          metadata: { labels: syncLabels(s.targetRegion) },
          spec: {
            restartPolicy: "Never",
            // The app's identity: the sync job reads the same database secret.
            serviceAccountName: APP_SERVICE_ACCOUNT,
            securityContext: RESTRICTED_POD_CONTEXT,
            volumes: [{ name: SCRATCH_VOLUME, emptyDir: {} }],
            containers: [
              {
                name: SYNC_NAME,
                image: s.image,
                securityContext: RESTRICTED_CONTAINER_CONTEXT,
                volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }],
                env: [
                  { name: "BATCH_SIZE", value: String(s.batchSize) },
                  { name: "SOURCE_REGION", value: s.sourceRegion },
                  { name: "TARGET_REGION", value: s.targetRegion },
                  { name: "RETRY_SECONDS", value: String(s.retrySeconds) },
                  ...s.env,
                ],
                resources: {
                  requests: { cpu: "100m", memory: "128Mi" },
                  limits: { cpu: "500m", memory: "512Mi" },
                },
              },
            ],
          },
        },
      },
    },
  };
}
