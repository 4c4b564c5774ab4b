import { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * Options every regionctl AWS SDK v3 client shares, so each adapter (S3 state, Route 53, RDS,
 * CloudWatch) bounds its calls the same way: a hung endpoint costs a timeout, never a stuck
 * controller, and throttling is absorbed by backoff instead of failing an operation.
 */

/** Points every client at an AWS-compatible endpoint (moto, LocalStack) instead of AWS. */
export const AWS_ENDPOINT_ENV = "REGIONCTL_AWS_ENDPOINT";

export interface AwsClientOptions {
  /** Endpoint override. Default: `REGIONCTL_AWS_ENDPOINT`, else the SDK's regional endpoint. */
  readonly endpoint?: string;
  /** Attempts per call including the first. Default 5. */
  readonly maxAttempts?: number;
  /**
   * `adaptive` adds client-side rate limiting on top of `standard` exponential backoff once the
   * service throttles; Route 53 allows only a few requests per second per account. Default adaptive.
   */
  readonly retryMode?: "standard" | "adaptive";
  /** Milliseconds to open the TCP/TLS connection. Default 4000 (as Route 53's own checkers). */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds a request may wait for its response once sent. Default 15000. */
  readonly requestTimeoutMs?: number;
  /** Static credentials; default: the SDK's provider chain (env, profile, instance role...). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: "standard" | "adaptive";
  requestHandler: NodeHttpHandler;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const AWS_CLIENT_DEFAULTS = {
  maxAttempts: 5,
  retryMode: "adaptive",
  connectionTimeoutMs: 4_000,
  requestTimeoutMs: 15_000,
} as const;

/**
 * Client options for one region. `region` undefined leaves it to the SDK (AWS_REGION, profile).
 * Pass the result straight to any `new XxxClient(...)`.
 */
export function awsClientConfig(
  region: string | undefined,
  options: AwsClientOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsClientConfig {
  const envEndpoint = env[AWS_ENDPOINT_ENV];
  const endpoint =
    options.endpoint ?? (envEndpoint === undefined || envEndpoint === "" ? undefined : envEndpoint);
  const config: AwsClientConfig = {
    maxAttempts: options.maxAttempts ?? AWS_CLIENT_DEFAULTS.maxAttempts,
    retryMode: options.retryMode ?? AWS_CLIENT_DEFAULTS.retryMode,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? AWS_CLIENT_DEFAULTS.requestTimeoutMs,
      // Without it the handler only logs a warning when a request overruns, and the call waits on.
      throwOnRequestTimeout: true,
    }),
  };
  if (region !== undefined) config.region = region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (options.credentials !== undefined) config.credentials = { ...options.credentials };
  return config;
}
