import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

/**
 * Just enough of the Kubernetes API for the sync adapter, on 127.0.0.1: read a CronJob, create a
 * Job, read a Job's status, list a Job's pods, read a pod's log. Jobs progress by polls: each Job
 * reports `active` until it has been read `pollsToFinish` times, then the scripted outcome. Every
 * request is recorded, so tests assert what the adapter really sent.
 */

export interface JobScript {
  readonly outcome: "succeeded" | "failed";
  readonly pollsToFinish: number;
  /** The pod's log (the watermark line lives here). */
  readonly log?: string;
  /** Annotations the Job carries once finished (a sync program that patches its Job). */
  readonly annotations?: Record<string, string>;
}

export interface FakeKubeApi {
  readonly url: string;
  readonly requests: { method: string; path: string; body: unknown }[];
  readonly jobs: Map<string, { body: Record<string, unknown>; polls: number; script: JobScript }>;
  /** The script the next created Job follows. */
  next: JobScript;
  cronJob: Record<string, unknown> | null;
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

export async function startFakeKubeApi(
  namespace: string,
  cronJob: Record<string, unknown> | null,
): Promise<FakeKubeApi> {
  const api: FakeKubeApi = {
    url: "",
    requests: [],
    jobs: new Map(),
    next: { outcome: "succeeded", pollsToFinish: 1 },
    cronJob,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "fake", server: api.url, skipTLSVerify: true }],
        users: [{ name: "fake", token: "test-token" }],
        contexts: [{ name: "fake", cluster: "fake", user: "fake", namespace }],
        currentContext: "fake",
      });
      return kc;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body: unknown = text === "" ? null : JSON.parse(text);
    const url = new URL(req.url ?? "/", "http://x");
    api.requests.push({ method: req.method ?? "", path: `${url.pathname}${url.search}`, body });
    const send = (status: number, payload: unknown, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };
    const notFound = (what: string): void =>
      send(404, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: `${what} not found`,
      });
    const ns = `/namespaces/${namespace}`;
    let m: RegExpExecArray | null;

    if (
      req.method === "GET" &&
      (m = new RegExp(`^/apis/batch/v1${ns}/cronjobs/([^/]+)$`).exec(url.pathname))
    ) {
      const name = (api.cronJob?.metadata as { name?: string } | undefined)?.name;
      return api.cronJob !== null && name === m[1] ? send(200, api.cronJob) : notFound(`cronjobs "${m[1]}"`);
    }
    if (req.method === "POST" && url.pathname === `/apis/batch/v1${ns}/jobs`) {
      const job = body as { metadata: { name: string } };
      api.jobs.set(job.metadata.name, {
        body: job as unknown as Record<string, unknown>,
        polls: 0,
        script: api.next,
      });
      return send(201, {
        ...job,
        metadata: { ...job.metadata, uid: `uid-${job.metadata.name}` },
        status: {},
      });
    }
    if (
      req.method === "GET" &&
      (m = new RegExp(`^/apis/batch/v1${ns}/jobs/([^/]+)/status$`).exec(url.pathname))
    ) {
      const job = api.jobs.get(m[1]);
      if (job === undefined) return notFound(`jobs "${m[1]}"`);
      job.polls += 1;
      const done = job.polls >= job.script.pollsToFinish;
      const metadata = {
        ...(job.body.metadata as object),
        ...(done && job.script.annotations !== undefined ? { annotations: job.script.annotations } : {}),
      };
      const status = !done
        ? { active: 1 }
        : job.script.outcome === "succeeded"
          ? { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] }
          : {
              failed: 3,
              conditions: [
                {
                  type: "Failed",
                  status: "True",
                  reason: "BackoffLimitExceeded",
                  message: "Job has reached the specified backoff limit",
                },
              ],
            };
      return send(200, { ...job.body, metadata, status });
    }
    if (req.method === "GET" && url.pathname === `/api/v1${ns}/pods`) {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const jobName = /^job-name=(.+)$/.exec(selector)?.[1];
      const job = jobName === undefined ? undefined : api.jobs.get(jobName);
      const items =
        job === undefined
          ? []
          : [
              {
                metadata: {
                  name: `${jobName}-abcde`,
                  namespace,
                  creationTimestamp: "2025-01-01T00:00:00Z",
                  labels: { "job-name": jobName },
                },
                status: { phase: job.script.outcome === "succeeded" ? "Succeeded" : "Failed" },
              },
            ];
      return send(200, { kind: "PodList", apiVersion: "v1", metadata: {}, items });
    }
    if (req.method === "GET" && (m = new RegExp(`^/api/v1${ns}/pods/([^/]+)/log$`).exec(url.pathname))) {
      const jobName = m[1].replace(/-abcde$/, "");
      const job = api.jobs.get(jobName);
      return job === undefined ? notFound(`pods "${m[1]}"`) : send(200, job.script.log ?? "", "text/plain");
    }
    notFound(url.pathname);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (api as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
