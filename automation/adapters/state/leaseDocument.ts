import { randomUUID } from "node:crypto";
import { z } from "zod";
import { deadOnThisHost } from "../processAlive";

/** The lease as stored beside the state document, in both stores. */

const leaseDocumentSchema = z
  .object({
    holder: z.string().min(1),
    operation: z.string(),
    /** Milliseconds since the epoch. */
    acquiredAt: z.number(),
    expiresAt: z.number(),
    /** Makes every acquisition's content (and so its etag) unique, even for the same holder in the same ms. */
    nonce: z.string(),
  })
  .strict();
export type LeaseDocument = z.infer<typeof leaseDocumentSchema>;

export function newLeaseDocument(
  holder: string,
  operation: string,
  now: number,
  ttlMs: number,
): LeaseDocument {
  if (holder === "") throw new Error("lease holder must not be empty");
  if (!(ttlMs > 0)) throw new Error(`lease ttl must be positive, got ${ttlMs}`);
  return { holder, operation, acquiredAt: now, expiresAt: now + ttlMs, nonce: randomUUID() };
}

export function renewedLeaseDocument(doc: LeaseDocument, now: number, ttlMs: number): LeaseDocument {
  if (!(ttlMs > 0)) throw new Error(`lease ttl must be positive, got ${ttlMs}`);
  return { ...doc, expiresAt: now + ttlMs, nonce: randomUUID() };
}

export function encodeLease(doc: LeaseDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export class LeaseSchemaError extends Error {
  constructor(source: string, issues: readonly string[]) {
    super(`lease in ${source} is invalid:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    this.name = "LeaseSchemaError";
  }
}

export function decodeLease(text: string, source: string): LeaseDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LeaseSchemaError(source, [`(root): not valid JSON (${(err as Error).message})`]);
  }
  const parsed = leaseDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LeaseSchemaError(
      source,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  return parsed.data;
}

/**
 * A lease whose holder is provably gone: named `user@host:pid` (as regionctl names itself), on
 * this machine, with no such pid. Its run was killed; waiting out its time would only delay the
 * resume. A holder named otherwise (REGIONCTL_HOLDER, a CI run) waits for the expiry.
 */
export function leaseHolderDead(holder: string): boolean {
  const m = /^[^@]+@([^:@]+):(\d+)$/.exec(holder);
  return m !== null && deadOnThisHost(m[1], Number(m[2]));
}
