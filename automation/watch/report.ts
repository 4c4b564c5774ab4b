import type { CompletedOperation, TickReport } from "./watcher";

/** A tick report as a few human lines: regions, then decisions, notes and finished operations. */
export function tickLines(report: TickReport): string[] {
  const lines = [
    `${report.at} writer ${report.writer} (${report.mode}); active: ${report.active.join(", ") || "none"}`,
  ];
  for (const [region, r] of Object.entries(report.regions)) {
    const verdict =
      r.heldOutUntil !== null ? `held out until ${r.heldOutUntil}` : r.healthy ? "healthy" : "UNHEALTHY";
    const streak = r.consecutiveFailures > 0 ? `, ${r.consecutiveFailures} failed in a row` : "";
    lines.push(
      `  ${region}: ${verdict}${streak}, ${r.serving ? "in" : "out of"} traffic [${r.signals}] ${r.detail}`,
    );
  }
  for (const e of report.events) lines.push(`  event: ${e.region} ${e.kind}`);
  for (const d of report.decisions) {
    lines.push(`  ${d.kind} ${d.action}: ${d.summary}${d.rule === undefined ? "" : ` [${d.rule}]`}`);
    if (d.command !== undefined && d.action !== "started") lines.push(`    run: ${d.command}`);
  }
  for (const n of report.notes) lines.push(`  note: ${n}`);
  for (const c of report.completed) lines.push(`  ${completedLine(c)}`);
  return lines;
}

export function completedLine(c: CompletedOperation): string {
  return `finished: ${c.kind} ${c.operationId} ${c.outcome}${c.reason === null ? "" : `: ${c.reason}`}`;
}
