import { UnknownValueError } from "@pulumi/policy";

/**
 * Reads a property that may still be unknown. During `pulumi preview` the analyzer hands policies a
 * proxy that throws on values computed later (a new KMS key's ARN, a new health check's id); a
 * policy that has another way to decide, or nothing to say yet, reads through this instead of
 * letting the whole policy turn into a "can't run during preview" note.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** A known, non-empty string, or undefined. */
export function knownString(read: () => unknown): string | undefined {
  const v = known(read);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A property as a policy sees it: absent, present but computed later, or known. */
export type Prop =
  | { readonly state: "absent" }
  | { readonly state: "pending" }
  | { readonly state: "known"; readonly value: unknown };

export function prop(props: Record<string, unknown>, key: string): Prop {
  if (!(key in props)) return { state: "absent" };
  try {
    const value = props[key];
    return value === undefined ? { state: "absent" } : { state: "known", value };
  } catch (err) {
    if (err instanceof UnknownValueError) return { state: "pending" };
    throw err;
  }
}
