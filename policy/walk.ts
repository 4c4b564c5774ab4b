/**
 * Every string leaf of a JSON-like value with its path (`a.b[0].c`), for policies that look for a
 * value wherever it ended up.
 */
export function stringLeaves(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}
