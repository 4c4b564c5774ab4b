import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { EnvVar } from "./appSpec";
import { SYNC_NAME, cronJobSpec, syncLabels } from "./syncJobSpec";

export interface SyncJobArgs {
  readonly namespace: pulumi.Input<string>;
  readonly schedule: string;
  readonly batchSize: number;
  /** The writer region the job pulls changes from. */
  readonly sourceRegion: string;
  /** The secondary region the job runs in and applies changes to. */
  readonly targetRegion: string;
  readonly image: string;
  readonly retrySeconds: number;
  readonly env?: readonly EnvVar[];
}

/**
 * A secondary region's data sync: a batch/v1 CronJob that pulls the writer's changes since the
 * region's watermark in batches. Pass the region's Kubernetes provider in `providers`.
 */
export class SyncJob extends pulumi.ComponentResource {
  readonly cronJobName: pulumi.Output<string>;

  constructor(name: string, args: SyncJobArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    if (args.sourceRegion === args.targetRegion) {
      throw new Error(
        `${name}: sourceRegion and targetRegion are both ${args.sourceRegion}; the writer needs no sync job`,
      );
    }
    if (!Number.isInteger(args.batchSize) || args.batchSize < 1) {
      throw new Error(`${name}: batchSize must be an integer of at least 1, got ${args.batchSize}`);
    }
    super("regionctl:index:SyncJob", name, {}, opts);

    const job = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata: { name: SYNC_NAME, namespace: args.namespace, labels: syncLabels(args.targetRegion) },
        spec: cronJobSpec({
          schedule: args.schedule,
          batchSize: args.batchSize,
          sourceRegion: args.sourceRegion,
          targetRegion: args.targetRegion,
          image: args.image,
          retrySeconds: args.retrySeconds,
          env: args.env ?? [],
        }),
      },
      { parent: this },
    );

    this.cronJobName = job.metadata.name;
    this.registerOutputs({ cronJobName: this.cronJobName });
  }
}
