import { describeFetchError } from "./fetchError";

/** A direct health probe of one URL, bounded by its own timeout. */

export interface ProbeResult {
  /** 2xx or 3xx within the timeout, as Route 53 judges an HTTP check. */
  readonly ok: boolean;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** Milliseconds until the response headers arrived, or until the probe gave up. */
  readonly latencyMs: number;
  readonly detail: string;
}

export interface Probe {
  /** Never rejects for an unhealthy target; rejects only when `signal` (the caller's) aborts. */
  check(url: string, signal?: AbortSignal): Promise<ProbeResult>;
}

export interface HttpProbeOptions {
  /** Milliseconds for connect plus response headers. Default 6000 (Route 53: 4 s connect + 2 s). */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 6_000;

export class HttpProbe implements Probe {
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: HttpProbeOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new Error(`probe timeoutMs must be positive, got ${this.timeoutMs}`);
    this.headers = { "user-agent": "regionctl-probe", ...options.headers };
  }

  async check(url: string, signal?: AbortSignal): Promise<ProbeResult> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const res = await fetch(url, {
        method: "GET",
        headers: this.headers,
        // A redirect is an answer (Route 53 counts 3xx healthy); following it would probe another host.
        redirect: "manual",
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
      const latencyMs = elapsed();
      // Health bodies are not read; releasing the stream frees the connection for the next probe.
      await res.body?.cancel().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 400;
      return { ok, status: res.status, latencyMs, detail: `HTTP ${res.status} in ${latencyMs} ms` };
    } catch (err) {
      if (signal?.aborted === true && !timeout.aborted) throw signal.reason;
      const latencyMs = elapsed();
      const detail = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeFetchError(err);
      return { ok: false, status: null, latencyMs, detail };
    }
  }
}
