import { z } from "zod";
import { operationalStateSchema } from "../../components/operationalState";
import { deepFreeze, isDeepFrozen } from "./deepFreeze";

/**
 * What a field is taken in as. `json`: what a store holding the document's JSON reads back (fields
 * set to undefined dropped, values copied through JSON). `value`: what parsing the value in memory
 * gives (a field set to undefined kept as such, a key the schema does not know refused).
 */
export type FieldReading = "json" | "value";

/** Takes in successive versions of a document; null when a version does not validate. */
export interface DocumentFields {
  copy(raw: unknown): Readonly<Record<string, unknown>> | null;
}

/**
 * A strict object schema's fields, each kept as its validated, frozen copy last taken in: a field
 * given again unchanged is reused without copying or parsing it. Unchanged means the same
 * reference as last time when that value was frozen throughout (nothing can have changed it), or
 * else equal to the kept copy. The result equals what parsing the whole document gives (its JSON,
 * or the value itself, by `reading`): fields in the schema's order, absent ones left out.
 */
class FieldCache implements DocumentFields {
  private readonly kept = new Map<string, unknown>();
  /** The value last given for each field, when it was frozen throughout. */
  private readonly given = new Map<string, unknown>();
  /** The version last given back. */
  private last: Readonly<Record<string, unknown>> | null = null;

  constructor(
    private readonly shape: z.ZodRawShape,
    private readonly reading: FieldReading,
    /** Fields that are themselves strict objects (or null), cached field by field in turn. */
    private readonly nested: Readonly<Record<string, FieldCache>> = {},
  ) {}

  copy(raw: unknown): Readonly<Record<string, unknown>> | null {
    if (!isPlainObject(raw)) return null;
    const doc = raw as Record<string, unknown>;
    for (const key of Object.keys(doc)) {
      if (!(key in this.shape) && (this.reading === "value" || doc[key] !== undefined)) return null;
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(this.shape)) {
      const v = doc[key];
      if (v === undefined) {
        if (!schema.safeParse(undefined).success) return null;
        if (this.reading === "value" && key in doc) out[key] = undefined;
        continue;
      }
      const kept = this.kept.get(key);
      if (kept !== undefined && this.given.get(key) === v) {
        out[key] = kept;
        continue;
      }
      const inner = this.nested[key];
      // A frozen value other than the one last given is a new version from a writer that hands
      // over unchanged fields as they were: comparing it first would only walk it twice.
      const frozen = isDeepFrozen(v);
      let copy: unknown;
      if (inner !== undefined && v !== null) {
        // Field by field: comparing the whole object would walk its unchanged fields first.
        copy = inner.copy(v);
        if (copy === null) return null;
      } else if (kept !== undefined && !frozen && this.same(v, kept)) {
        copy = kept;
      } else {
        const parsed = schema.safeParse(this.reading === "json" ? JSON.parse(JSON.stringify(v)) : v);
        if (!parsed.success) return null;
        copy = deepFreeze(parsed.data);
      }
      if (copy !== kept) this.kept.set(key, copy);
      if (frozen) this.given.set(key, v);
      else this.given.delete(key);
      out[key] = copy;
    }
    // A version whose fields are all the kept ones is the kept version itself, so a cache one
    // level up sees it unchanged by reference.
    if (this.last !== null && sameFields(out, this.last)) return this.last;
    this.last = Object.freeze(out);
    return this.last;
  }

  private same(v: unknown, kept: unknown): boolean {
    return this.reading === "json" ? sameJson(v, kept) : sameValue(v, kept);
  }
}

/** The same keys, in the same order, holding the very same values. */
function sameFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) if (ak[i] !== bk[i] || a[ak[i]] !== b[bk[i]]) return false;
  return true;
}

function isPlainObject(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether `a` serialises to the same JSON as `kept`, a value parsed from JSON. Anything JSON would
 * change (undefined in an array, a number that is not finite, a class instance) counts as different,
 * so the caller copies it the slow way.
 */
export function sameJson(a: unknown, kept: unknown): boolean {
  if (a === kept) return true;
  if (typeof a !== "object" || typeof kept !== "object" || a === null || kept === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(kept) || a.length !== kept.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], kept[i])) return false;
    return true;
  }
  if (Array.isArray(kept) || !isPlainObject(a)) return false;
  const x = a as Record<string, unknown>;
  const y = kept as Record<string, unknown>;
  const keys = Object.keys(y);
  let i = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    if (keys[i] !== key || !sameJson(x[key], y[key])) return false;
    i++;
  }
  return i === keys.length;
}

/**
 * Whether `a` is built exactly as `kept`: the same keys in the same order (undefined ones too),
 * the same primitives, plain objects and arrays only. Parsing such a value gives what parsing
 * `kept`'s source gave, since a parse gives back its own output unchanged.
 */
export function sameValue(a: unknown, kept: unknown): boolean {
  if (a === kept) return true;
  if (typeof a !== "object" || typeof kept !== "object" || a === null || kept === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(kept) || a.length !== kept.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!(i in a) || !sameValue(a[i], kept[i])) return false;
    }
    return true;
  }
  if (Array.isArray(kept) || !isPlainObject(a)) return false;
  const x = a as Record<string, unknown>;
  const y = kept as Record<string, unknown>;
  const xs = Object.keys(x);
  const ys = Object.keys(y);
  if (xs.length !== ys.length) return false;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] !== ys[i] || !sameValue(x[xs[i]], y[ys[i]])) return false;
  }
  return true;
}

/**
 * The operational state's fields, and the operation's in turn, taken in by `reading`; a cache
 * that takes in nothing when the schema is not a plain strict object.
 */
export function stateFields(reading: FieldReading): DocumentFields {
  const schema: unknown = operationalStateSchema;
  if (!(schema instanceof z.ZodObject) || schema._def.unknownKeys !== "strict") return { copy: () => null };
  const shape = schema.shape as z.ZodRawShape;
  const operation = shape.operation;
  const inner = operation instanceof z.ZodNullable ? (operation.unwrap() as unknown) : null;
  const nested: Record<string, FieldCache> =
    inner instanceof z.ZodObject && inner._def.unknownKeys === "strict"
      ? { operation: new FieldCache(inner.shape as z.ZodRawShape, reading) }
      : {};
  return new FieldCache(shape, reading, nested);
}
