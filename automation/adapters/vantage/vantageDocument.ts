import { z } from "zod";
import type { VantageReport } from "../../watch/quorum";

const reportSchema = z.object({
  voter: z.string(),
  region: z.string(),
  at: z.number(),
  down: z.boolean(),
  flapping: z.boolean().optional(),
});

const documentSchema = z.object({ voter: z.string(), reports: z.array(reportSchema) });

/** One replica's published verdicts, as every store kind keeps them. */
export function encodeVantage(voter: string, reports: readonly VantageReport[]): string {
  return `${JSON.stringify({ voter, reports }, null, 2)}\n`;
}

/** The reports of one voter's document; a document that is not one names where it was read. */
export function decodeVantage(text: string, source: string): VantageReport[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`vantage reports in ${source} are not JSON: ${(err as Error).message}`);
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`vantage reports in ${source} are malformed: ${parsed.error.issues[0]?.message ?? ""}`);
  }
  return parsed.data.reports.map(({ flapping, ...r }) => (flapping === undefined ? r : { ...r, flapping }));
}

/** A voter's name as part of a file name or key: a region name already is one. */
export function voterSlug(voter: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(voter)) {
    throw new Error(`voter ${JSON.stringify(voter)} cannot name a vantage document`);
  }
  return voter;
}
