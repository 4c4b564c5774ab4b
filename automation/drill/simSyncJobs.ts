import type { SyncJobs, SyncRunResult } from "../ports";
import type { SimCloud } from "./simCloud";
import type { SimGlobalDatabase } from "./simDatabase";

/**
 * Each secondary's sync job: pulls the writer's changes since its watermark. A run takes simulated
 * time and fails when its region's Kubernetes API is down or erroring, or the writer is unreachable.
 * The writer it reads is the one its region's stack was last configured with (the CronJob's source).
 */
export class SimSyncJobs implements SyncJobs {
  constructor(
    private readonly cloud: SimCloud,
    private readonly database: SimGlobalDatabase,
    private readonly runSeconds: number,
  ) {}

  async run(region: string, signal?: AbortSignal): Promise<SyncRunResult> {
    const clock = this.cloud.clock;
    this.cloud.apiCall("kubernetes", region, "create sync Job");
    if (!this.cloud.controlPlaneUp(region)) {
      await clock.sleep(1000, signal);
      return { ok: false, watermark: null, detail: `the Kubernetes API in ${region} did not answer` };
    }
    if (this.cloud.takeApiError("kubernetes", region)) {
      await clock.sleep(1000, signal);
      return { ok: false, watermark: null, detail: `creating the Job in ${region} failed (injected)` };
    }
    await clock.sleep(this.runSeconds * 1000, signal);
    const writer = this.cloud.appWriterAt(region, clock.now());
    if (!this.database.writersNow().includes(writer)) {
      return { ok: false, watermark: null, detail: `the writer (${writer}) could not be read` };
    }
    return {
      ok: true,
      watermark: new Date(clock.now()).toISOString(),
      detail: `synced ${region} from ${writer}`,
    };
  }
}
