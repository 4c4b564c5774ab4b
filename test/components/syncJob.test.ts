import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { SYNC_BACKOFF_LIMIT, SYNC_HISTORY_LIMIT, cronJobSpec } from "../../components/syncJobSpec";
import { type MockRecorder, runProgram } from "./mockRuntime";
import { rawConfig, stateWithWriter, withPatch } from "./helpers/environmentFixture";

const CRONJOB = "kubernetes:batch/v1:CronJob";

const cronJobRegions = (rec: MockRecorder) =>
  rec
    .ofType(CRONJOB)
    .map((j) => rec.ancestorOfType(j, "regionctl:index:RegionStack")?.name)
    .sort();

const envOf = (rec: MockRecorder, region: string): Record<string, string> =>
  Object.fromEntries(
    (
      rec.named(`${region}-sync-cronjob`, CRONJOB).inputs.spec.jobTemplate.spec.template.spec.containers[0]
        .env as {
        name: string;
        value: string;
      }[]
    ).map((e) => [e.name, e.value]),
  );

describe("SyncJob", () => {
  it("runs a CronJob in every secondary region and none in the writer region", async () => {
    const { recorder } = await runProgram({ config: rawConfig({ regionCount: 6 }) });
    const regions = ["us-west-2", "eu-west-1", "us-east-2", "us-west-1", "ca-central-1"];
    expect(cronJobRegions(recorder)).toEqual([...regions].sort());
    expect(recorder.resources.filter((r) => r.name.startsWith("us-east-1-sync"))).toEqual([]);
  });

  it("pulls from the writer in batches, without overlapping runs, with bounded history and retries", async () => {
    const config = withPatch((c) => {
      c.sync = {
        schedule: "*/10 * * * *",
        batchSize: 250,
        image: "registry.example.com/shop/sync:7",
        retrySeconds: 120,
      };
    });
    const { recorder } = await runProgram({ config });
    for (const region of ["us-west-2", "eu-west-1"]) {
      const job = recorder.named(`${region}-sync-cronjob`, CRONJOB);
      expect(job.inputs.spec).toMatchObject({
        schedule: "*/10 * * * *",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: SYNC_HISTORY_LIMIT,
        failedJobsHistoryLimit: SYNC_HISTORY_LIMIT,
        startingDeadlineSeconds: 120,
      });
      expect(job.inputs.spec.jobTemplate.spec.backoffLimit).toBe(SYNC_BACKOFF_LIMIT);
      expect(job.inputs.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(job.inputs.spec.jobTemplate.spec.template.spec.restartPolicy).toBe("Never");
      expect(job.inputs.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(
        "registry.example.com/shop/sync:7",
      );
      expect(envOf(recorder, region)).toMatchObject({
        BATCH_SIZE: "250",
        SOURCE_REGION: "us-east-1",
        TARGET_REGION: region,
        RETRY_SECONDS: "120",
      });
      expect(job.inputs.metadata.namespace).toBe("dev");
      expect(recorder.providerOf(job)?.name).toBe(`${region}-k8s`);
    }
  });

  it("follows the writer when the operational state moves it", async () => {
    const raw = rawConfig();
    const { recorder } = await runProgram({
      config: raw,
      state: stateWithWriter(parseConfig(raw), "us-west-2"),
    });
    expect(cronJobRegions(recorder)).toEqual(["eu-west-1", "us-east-1"]);
    expect(envOf(recorder, "us-east-1")).toMatchObject({
      SOURCE_REGION: "us-west-2",
      TARGET_REGION: "us-east-1",
    });
    expect(envOf(recorder, "eu-west-1")).toMatchObject({ SOURCE_REGION: "us-west-2" });
  });
});

describe("cronJobSpec (pure)", () => {
  it("puts BATCH_SIZE, SOURCE_REGION and TARGET_REGION in the environment", () => {
    const spec = cronJobSpec({
      schedule: "*/5 * * * *",
      batchSize: 1000,
      sourceRegion: "us-east-1",
      targetRegion: "eu-west-1",
      image: "sync",
      retrySeconds: 300,
      env: [{ name: "EXTRA", value: "x" }],
    });
    const container = (
      spec.jobTemplate as {
        spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
      }
    ).spec.template.spec.containers[0];
    expect(container.env.map((e) => `${e.name}=${e.value}`)).toEqual([
      "BATCH_SIZE=1000",
      "SOURCE_REGION=us-east-1",
      "TARGET_REGION=eu-west-1",
      "RETRY_SECONDS=300",
      "EXTRA=x",
    ]);
    expect(spec.concurrencyPolicy).toBe("Forbid");
  });
});
