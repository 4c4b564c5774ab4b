import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cronJobSpec, syncLabels } from "../../../components/syncJobSpec";
import {
  WATERMARK_ANNOTATION,
  kubernetesSyncJobs,
  watermarkFromLog,
} from "../../../automation/adapters/k8s/syncJobs";
import { systemClock } from "../../../automation/executor/systemClock";
import { type FakeKubeApi, startFakeKubeApi } from "./fakeKubeApi";

const NAMESPACE = "dev";

/** The CronJob as the stack renders it (the component's own spec). */
const cronJob = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "sync", namespace: NAMESPACE, uid: "cron-uid-1", labels: syncLabels("us-west-2") },
  spec: cronJobSpec({
    schedule: "*/5 * * * *",
    batchSize: 1000,
    sourceRegion: "us-east-1",
    targetRegion: "us-west-2",
    image: "registry.example.com/sync:1",
    retrySeconds: 300,
    env: [],
  }),
};

let api: FakeKubeApi;
beforeAll(async () => {
  api = await startFakeKubeApi(NAMESPACE, cronJob);
});
afterAll(async () => api.close());

function adapter() {
  return kubernetesSyncJobs({
    kubeConfig: () => api.kubeConfig(),
    namespace: NAMESPACE,
    clock: systemClock,
    pollMs: 10,
  });
}

describe("watermark log line", () => {
  it("takes the last well-formed `regionctl-sync watermark=` line", () => {
    const log = [
      "starting batch 1",
      "regionctl-sync watermark=2025-01-01T00:00:00Z",
      "regionctl-sync watermark=not-a-time",
      "regionctl-sync watermark=2025-01-01T00:05:00Z",
      "done",
    ].join("\n");
    expect(watermarkFromLog(log)).toBe("2025-01-01T00:05:00Z");
    expect(watermarkFromLog("nothing here")).toBeNull();
  });
});

describe("Kubernetes sync jobs (local API server)", () => {
  it("creates a Job from the CronJob's template, follows it to completion and reads the watermark from its log", async () => {
    api.next = {
      outcome: "succeeded",
      pollsToFinish: 3,
      log: "batch 1: 1000 rows\nregionctl-sync watermark=2025-01-01T00:04:59Z\n",
    };
    const result = await adapter().run("us-west-2");
    expect(result).toMatchObject({ ok: true, watermark: "2025-01-01T00:04:59Z" });

    const created = api.requests.filter((r) => r.method === "POST");
    expect(created).toHaveLength(1);
    const job = created[0].body as {
      kind: string;
      metadata: {
        name: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
        ownerReferences: unknown[];
      };
      spec: unknown;
    };
    expect(job.kind).toBe("Job");
    expect(job.metadata.name).toMatch(/^sync-manual-[0-9a-z]+$/);
    expect(job.metadata.labels).toEqual(syncLabels("us-west-2"));
    expect(job.metadata.annotations["cronjob.kubernetes.io/instantiate"]).toBe("manual");
    expect(job.metadata.ownerReferences).toEqual([
      { apiVersion: "batch/v1", kind: "CronJob", name: "sync", uid: "cron-uid-1" },
    ]);
    // The Job runs exactly the CronJob's template: same image, env, backoff and deadline.
    expect(job.spec).toEqual(JSON.parse(JSON.stringify(cronJob.spec.jobTemplate)).spec);
    expect(api.jobs.get(job.metadata.name)?.polls).toBe(3);
    expect(
      api.requests.some((r) =>
        r.path.startsWith(`/api/v1/namespaces/${NAMESPACE}/pods/${job.metadata.name}`),
      ),
    ).toBe(true);
  });

  it("prefers a watermark the program wrote on its Job", async () => {
    api.next = {
      outcome: "succeeded",
      pollsToFinish: 1,
      annotations: { [WATERMARK_ANNOTATION]: "2025-02-02T00:00:00Z" },
      log: "",
    };
    const before = api.requests.length;
    const result = await adapter().run("us-west-2");
    expect(result).toMatchObject({ ok: true, watermark: "2025-02-02T00:00:00Z" });
    expect(api.requests.slice(before).some((r) => r.path.includes("/pods"))).toBe(false);
  });

  it("reports a failed Job with Kubernetes' reason, and no watermark", async () => {
    api.next = { outcome: "failed", pollsToFinish: 2 };
    const result = await adapter().run("us-west-2");
    expect(result.ok).toBe(false);
    expect(result.watermark).toBeNull();
    expect(result.detail).toMatch(/BackoffLimitExceeded: Job has reached the specified backoff limit/);
  });

  it("a completed run without a watermark line still succeeds, and says so", async () => {
    api.next = { outcome: "succeeded", pollsToFinish: 1, log: "no marker\n" };
    const result = await adapter().run("us-west-2");
    expect(result).toMatchObject({ ok: true, watermark: null });
    expect(result.detail).toMatch(/without reporting a watermark/);
  });

  it("gives up on a Job that does not finish in time", async () => {
    api.next = { outcome: "succeeded", pollsToFinish: 10_000 };
    const slow = kubernetesSyncJobs({
      kubeConfig: () => api.kubeConfig(),
      namespace: NAMESPACE,
      clock: systemClock,
      pollMs: 10,
      timeoutMs: 80,
    });
    const result = await slow.run("us-west-2");
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/did not finish within/);
  });

  it("fails clearly when the region has no sync CronJob", async () => {
    const saved = api.cronJob;
    api.cronJob = null;
    try {
      await expect(adapter().run("us-west-2")).rejects.toThrow(/404|not found/i);
    } finally {
      api.cronJob = saved;
    }
  });
});

describe("Kubernetes sync jobs: trigger without waiting", () => {
  it("creates the Job and returns its name without reading its status", async () => {
    const before = api.requests.length;
    const name = await adapter().trigger?.("us-west-2");
    expect(name).toMatch(/^sync-manual-/);
    const sent = api.requests.slice(before);
    expect(sent.map((r) => r.method)).toEqual(["GET", "POST"]);
    expect(sent.some((r) => r.path.endsWith("/status"))).toBe(false);
  });
});
