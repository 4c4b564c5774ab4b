import { createHash } from "node:crypto";
import { parseState, StateSchemaError, type OperationalState } from "../../../components/operationalState";

/** How every store serialises the operational state, so a document moves between stores unchanged. */

/** Validates before serialising: no store ever holds a document the program would refuse to read. */
export function encodeState(state: OperationalState): string {
  return `${JSON.stringify(parseState(state, "the state being written"), null, 2)}\n`;
}

/** Parses a stored document; throws StateSchemaError naming every bad field, or the JSON error. */
export function decodeState(text: string, source: string): OperationalState {
  if (text.trim() === "") {
    throw new StateSchemaError(source, [
      "(root): the file is empty (a write cut short?); restore it from a backup, or delete it to start again from the config",
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateSchemaError(source, [
      `(root): not valid JSON (${(err as Error).message}), perhaps truncated; restore it from a backup, or delete it to start again from the config`,
    ]);
  }
  return parseState(raw, source);
}

/** The file store's etag: the content hash, so any change, by anyone, changes it. */
export function contentEtag(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
