/** Freezes `value` and everything it holds; an object already frozen is taken to be frozen throughout. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Objects found frozen throughout: they stay so, so each is walked once. */
const frozenThroughout = new WeakSet<object>();

/**
 * Whether nothing reachable from `value` can change: every object in it is frozen. Unlike
 * `deepFreeze`, it trusts no frozen object to be frozen below, only one it walked before.
 */
export function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (frozenThroughout.has(value)) return true;
  if (!Object.isFrozen(value)) return false;
  for (const v of Object.values(value)) if (!isDeepFrozen(v)) return false;
  frozenThroughout.add(value);
  return true;
}
