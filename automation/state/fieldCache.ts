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

/** Takes in successive versions of one value (never null itself); null when one does not validate. */
interface NestedCache {
  copy(raw: unknown): unknown;
}

/**
 * A strict object schema's fields, each kept as its validated, frozen copy last taken in: a field
 * given again unchanged is reused without copying or parsing it. Unchanged means the same
 * reference as last time when that value was frozen throughout (nothing can have changed it), or
 * else equal to the kept copy. The result equals what parsing the whole document gives (its JSON,
 * or the value itself, by `reading`): fields in the schema's order, absent ones left out.
 */
class FieldCache implements DocumentFields, NestedCache {
  private readonly kept = new Map<string, unknown>();
  /** The value last given for each field, when it was frozen throughout. */
  private readonly given = new Map<string, unknown>();
  /** The version last given back. */
  private last: Readonly<Record<string, unknown>> | null = null;

  /** The schema's fields in order. */
  private readonly fields: readonly Field[];

  constructor(
    private readonly shape: z.ZodRawShape,
    private readonly reading: FieldReading,
    /** Fields that are strict objects or lists of them (or null, or absent), cached part by part in turn. */
    private readonly nested: Readonly<Record<string, NestedCache>> = {},
  ) {
    this.fields = fieldsOf(shape);
  }

  copy(raw: unknown): Readonly<Record<string, unknown>> | null {
    if (!isPlainObject(raw)) return null;
    const doc = raw as Record<string, unknown>;
    for (const key of Object.keys(doc)) {
      if (!(key in this.shape) && (this.reading === "value" || doc[key] !== undefined)) return null;
    }
    const out: Record<string, unknown> = {};
    for (const { key, schema, optional } of this.fields) {
      const v = doc[key];
      if (v === undefined) {
        if (!optional) return null;
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
      } else if (kept !== undefined && !frozen && same(this.reading, v, kept)) {
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
}

interface Field {
  readonly key: string;
  readonly schema: z.ZodTypeAny;
  /** Whether the field may be left out. */
  readonly optional: boolean;
}

/** Each shape's fields, worked out once: every handle and store makes its own caches. */
const shapes = new WeakMap<z.ZodRawShape, readonly Field[]>();

function fieldsOf(shape: z.ZodRawShape): readonly Field[] {
  let fields = shapes.get(shape);
  if (fields === undefined) {
    fields = Object.entries(shape).map(([key, schema]) => ({
      key,
      schema,
      optional: schema.safeParse(undefined).success,
    }));
    shapes.set(shape, fields);
  }
  return fields;
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
 * A list's elements, each kept as its validated, frozen copy last taken in at its index, as
 * `FieldCache` keeps fields: a list that grows by one element parses that one only.
 */
class ElementCache implements NestedCache {
  private kept: readonly unknown[] = [];
  /** The elements last given, where frozen throughout. */
  private given: readonly unknown[] = [];

  constructor(
    private readonly element: z.ZodTypeAny,
    private readonly reading: FieldReading,
  ) {}

  copy(raw: unknown): readonly unknown[] | null {
    if (!Array.isArray(raw)) return null;
    const out: unknown[] = [];
    const given: unknown[] = [];
    let unchanged = raw.length === this.kept.length;
    for (let i = 0; i < raw.length; i++) {
      // A hole or undefined is no element the schema takes (JSON writes it as null).
      const v: unknown = raw[i];
      if (v === undefined) return null;
      const kept = this.kept[i];
      const frozen = isDeepFrozen(v);
      let copy: unknown;
      if (kept !== undefined && (this.given[i] === v || (!frozen && same(this.reading, v, kept)))) {
        copy = kept;
      } else {
        const parsed = this.element.safeParse(this.reading === "json" ? JSON.parse(JSON.stringify(v)) : v);
        if (!parsed.success) return null;
        copy = deepFreeze(parsed.data);
        unchanged = false;
      }
      out.push(copy);
      given.push(frozen ? v : undefined);
    }
    this.given = given;
    if (unchanged) return this.kept;
    this.kept = Object.freeze(out);
    return this.kept;
  }
}

function same(reading: FieldReading, v: unknown, kept: unknown): boolean {
  return reading === "json" ? sameJson(v, kept) : sameValue(v, kept);
}

/** A schema without its optional and nullable wrappers: what a value that is neither takes. */
function unwrapped(schema: z.ZodTypeAny): unknown {
  let s: unknown = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = (s.unwrap() as unknown) ?? null;
  return s;
}

/** A cache for a strict object's fields, or null when the schema is not one. */
function objectCache(schema: unknown, reading: FieldReading): FieldCache | null {
  if (!(schema instanceof z.ZodObject) || schema._def.unknownKeys !== "strict") return null;
  const shape = schema.shape as z.ZodRawShape;
  const nested: Record<string, NestedCache> = {};
  for (const [key, field] of Object.entries(shape)) {
    const inner = unwrapped(field);
    const object = objectCache(inner, reading);
    if (object !== null) nested[key] = object;
    else if (
      inner instanceof z.ZodArray &&
      inner._def.minLength === null &&
      inner._def.maxLength === null &&
      inner._def.exactLength === null &&
      inner.element instanceof z.ZodObject
    )
      nested[key] = new ElementCache(inner.element, reading);
  }
  return new FieldCache(shape, reading, nested);
}

/**
 * The operational state's fields, and the operation's and each list's in turn, taken in by
 * `reading`; a cache that takes in nothing when the schema is not a plain strict object.
 */
export function stateFields(reading: FieldReading): DocumentFields {
  return objectCache(operationalStateSchema, reading) ?? { copy: () => null };
}
