import { CONFIG_KEYS, type ConfigIssue } from "../components/config";

/**
 * Rewrites "unrecognized key" issues of the stack file's top level into one issue per key, with the
 * likely fix: a dotted key is a nested setting written without `pulumi config set --path`, and a
 * near miss of a known key is probably a typo. Every other issue passes through unchanged.
 */
export function withConfigHints(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const keys = issue.path === "regionctl" ? unrecognizedKeys(issue.message) : [];
    if (keys.length === 0) return [issue];
    return keys.map((key) => ({ path: `regionctl:${key}`, message: hintFor(key) }));
  });
}

function unrecognizedKeys(message: string): string[] {
  if (!/^Unrecognized key/.test(message)) return [];
  return [...message.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

function hintFor(key: string): string {
  const head = key.split(".")[0];
  if (key.includes(".") && (CONFIG_KEYS as readonly string[]).includes(head)) {
    return (
      `not a key: \`${head}\` is a map, and a nested setting needs --path: ` +
      `\`pulumi config set --path 'regionctl:${key}' VALUE\` (remove this key with \`pulumi config rm 'regionctl:${key}'\`)`
    );
  }
  const near = CONFIG_KEYS.find((k) => distance(k.toLowerCase(), head.toLowerCase()) <= 2);
  if (near !== undefined) return `unknown key; did you mean regionctl:${near}${key.slice(head.length)}?`;
  return `unknown key; the keys are ${CONFIG_KEYS.map((k) => `regionctl:${k}`).join(", ")}`;
}

/** Levenshtein distance (Wagner–Fischer, one row). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
