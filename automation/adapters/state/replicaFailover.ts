/**
 * Which failures of a call to one replica of a global table another replica can answer: the
 * region's endpoint is unreachable or slow, or the service is failing or throttling there. A
 * refusal on the merits (a failed condition, a bad request, missing permission, a missing table)
 * would be the same in every region, so it is passed through instead.
 */

const REPLICA_FAILURE_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "ReplicatedWriteConflictException",
  "InternalServerError",
  "ServiceUnavailable",
]);

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function isReplicaFailure(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.$retryable !== undefined) return true;
  if (e.name !== undefined && REPLICA_FAILURE_NAMES.has(e.name)) return true;
  return e.code !== undefined && NETWORK_ERROR_CODES.has(e.code);
}

/** Every replica failed; names each region and why, so the operator sees which are down. */
export class ReplicasUnavailableError extends Error {
  constructor(
    readonly location: string,
    readonly failures: readonly { readonly region: string; readonly error: unknown }[],
  ) {
    super(
      `no replica of ${location} answered: ${failures
        .map((f) => `${f.region}: ${(f.error as Error | null)?.message ?? String(f.error)}`)
        .join("; ")}`,
    );
    this.name = "ReplicasUnavailableError";
  }
}
