/**
 * Checks a requested traffic change against the regions under control, before anything is sent:
 * every named region must be under control and named once. Every problem is reported at once.
 * Leaving no region on is not checked here: that is the safety rule's to refuse, in the one place
 * that sees the whole state.
 */
export function trafficChangeIssues(
  regions: readonly string[],
  on: readonly string[],
  off: readonly string[],
): string[] {
  const issues: string[] = [];
  const known = new Set(regions);
  for (const [list, names] of [
    ["on", on],
    ["off", off],
  ] as const) {
    for (const r of names) {
      if (!known.has(r)) issues.push(`${list}: ${r} is not under traffic control (${regions.join(", ")})`);
    }
    const seen = new Set<string>();
    for (const r of names) {
      if (seen.has(r)) issues.push(`${list}: ${r} is named twice`);
      seen.add(r);
    }
  }
  for (const r of on) {
    if (off.includes(r)) issues.push(`${r} is named both on and off`);
  }
  if (on.length === 0 && off.length === 0) issues.push("the change names no region");
  return issues;
}

/** Throws one error listing every problem of a traffic change; returns when there is none. */
export function assertTrafficChange(
  regions: readonly string[],
  on: readonly string[],
  off: readonly string[],
): void {
  const issues = trafficChangeIssues(regions, on, off);
  if (issues.length > 0) throw new Error(`invalid traffic change: ${issues.join("; ")}`);
}
