/** Node's fetch reports every network failure as "fetch failed" and hides the socket error (ECONNREFUSED, ENOTFOUND...) in `cause`. */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
