import type { Segment } from "./monitor";
import type { DrillReport } from "./runner";
import { clockText, incidentText, type SummaryRow, summaryRow } from "./terminalReport";

/**
 * The HTML report: one self-contained page (no scripts, no external files) with the drill's chart
 * as inline SVG: per region over time, whether clients are sent to it, whether it is healthy, the
 * version it serves and whether it holds the writer; scenario events as marked lines.
 */

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const PALETTE = ["#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#edc948", "#9c755f", "#ff9da7", "#59a14f"];

const ROWS = [
  { key: "serving", label: "serving" },
  { key: "healthy", label: "healthy" },
  { key: "version", label: "version" },
  { key: "writer", label: "writer" },
] as const;

const LEFT = 150;
const WIDTH = 1100;
const ROW_H = 16;
const ROW_GAP = 3;
const LANE_GAP = 18;
const TOP = 34;

/** Consecutive stretches in which one row's value stays the same. */
function rowRuns(
  segments: readonly Segment[],
  key: (typeof ROWS)[number]["key"],
): { from: number; to: number; value: boolean | string }[] {
  const runs: { from: number; to: number; value: boolean | string }[] = [];
  for (const s of segments) {
    const value = s[key];
    const last = runs[runs.length - 1];
    if (last !== undefined && last.value === value && last.to === s.fromSeconds) last.to = s.toSeconds;
    else runs.push({ from: s.fromSeconds, to: s.toSeconds, value });
  }
  return runs;
}

function laneHeight(): number {
  return ROWS.length * (ROW_H + ROW_GAP) + LANE_GAP;
}

export function chartSvg(report: DrillReport, segments: ReadonlyMap<string, readonly Segment[]>): string {
  const regions = Object.keys(report.regions);
  const end = Math.max(report.endSeconds, 1);
  const plotW = WIDTH - LEFT - 20;
  const x = (s: number): number => LEFT + (Math.min(s, end) / end) * plotW;
  const versions = [...new Set([...segments.values()].flatMap((list) => list.map((s) => s.version)))];
  const color = (v: string): string => PALETTE[versions.indexOf(v) % PALETTE.length];
  const height = TOP + regions.length * laneHeight() + 40;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="regions over time">`,
  );
  // Time axis: a tick every "nice" interval.
  const step = [60, 120, 300, 600, 900, 1800, 3600].find((t) => end / t <= 12) ?? 7200;
  for (let t = 0; t <= end; t += step) {
    parts.push(`<line class="grid" x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${height - 30}"/>`);
    parts.push(
      `<text class="tick" x="${x(t)}" y="${height - 14}" text-anchor="middle">${esc(clockText(t).trim())}</text>`,
    );
  }
  regions.forEach((region, i) => {
    const y0 = TOP + i * laneHeight();
    parts.push(`<g class="lane" data-region="${esc(region)}">`);
    parts.push(`<text class="region" x="8" y="${y0 + 12}">${esc(region)}</text>`);
    ROWS.forEach((row, j) => {
      const y = y0 + j * (ROW_H + ROW_GAP);
      parts.push(`<text class="row" x="${LEFT - 8}" y="${y + 12}" text-anchor="end">${row.label}</text>`);
      parts.push(`<rect class="track" x="${LEFT}" y="${y}" width="${plotW}" height="${ROW_H}"/>`);
      for (const run of rowRuns(segments.get(region) ?? [], row.key)) {
        const x1 = x(run.from);
        const w = Math.max(x(run.to) - x1, 0.5);
        const title = `${region} ${clockText(run.from).trim()}-${clockText(run.to).trim()}`;
        if (row.key === "serving" && run.value === true) {
          parts.push(
            `<rect class="seg serving" x="${x1}" y="${y}" width="${w}" height="${ROW_H}"><title>${esc(title)}: receives clients</title></rect>`,
          );
        } else if (row.key === "healthy") {
          parts.push(
            `<rect class="seg ${run.value === true ? "healthy" : "unhealthy"}" x="${x1}" y="${y}" width="${w}" height="${ROW_H}"><title>${esc(title)}: ${run.value === true ? "healthy" : "unhealthy"}</title></rect>`,
          );
        } else if (row.key === "version") {
          const v = String(run.value);
          parts.push(
            `<rect class="seg version" x="${x1}" y="${y}" width="${w}" height="${ROW_H}" fill="${color(v)}"><title>${esc(title)}: ${esc(v)}</title></rect>`,
          );
          if (w > 44) parts.push(`<text class="label" x="${x1 + 4}" y="${y + 12}">${esc(v)}</text>`);
        } else if (row.key === "writer" && run.value === true) {
          parts.push(
            `<rect class="seg writer" x="${x1}" y="${y}" width="${w}" height="${ROW_H}"><title>${esc(title)}: writer</title></rect>`,
          );
        }
      }
    });
    parts.push("</g>");
  });
  const events = report.timeline.filter((e) => e.source === "scenario" && e.kind !== "until");
  events.forEach((e, k) => {
    const ex = x(e.atSeconds);
    parts.push(
      `<g class="event"><line x1="${ex}" y1="${TOP - 8}" x2="${ex}" y2="${height - 30}"/><text x="${ex + 3}" y="${12 + (k % 2) * 12}">${esc(e.kind)}</text><title>${esc(`${clockText(e.atSeconds).trim()} ${e.message}`)}</title></g>`,
    );
  });
  for (const v of report.invariantViolations) {
    parts.push(
      `<g class="violation"><line x1="${x(v.atSeconds)}" y1="${TOP - 8}" x2="${x(v.atSeconds)}" y2="${height - 30}"/><title>${esc(`${v.rule}: ${v.message}`)}</title></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.pass { color: #1a7f37; } .fail { color: #c62828; font-weight: bold; }
.chart .track { fill: #f1f1f1; } .chart .serving { fill: #2e7d32; } .chart .healthy { fill: #81c784; }
.chart .unhealthy { fill: #e53935; } .chart .writer { fill: #1a237e; } .chart .grid { stroke: #ddd; }
.chart .tick, .chart .row { font-size: 11px; fill: #555; } .chart .region { font-size: 13px; font-weight: bold; }
.chart .label { font-size: 10px; fill: #fff; } .chart .event line { stroke: #6a1b9a; stroke-dasharray: 4 3; }
.chart .event text { font-size: 10px; fill: #6a1b9a; } .chart .violation line { stroke: #c62828; stroke-width: 2; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: -2px; }
pre { background: #fafafa; padding: 10px; overflow-x: auto; font-size: 12px; }
`;

function rowHtml(row: SummaryRow): string {
  return `<tr><td>${esc(row.scenario)}</td><td>${esc(row.outcome)}</td><td>${esc(row.rto)}</td><td>${esc(row.rpo)}</td><td>${esc(row.floor)}</td><td>${esc(row.ratio)}</td><td>${esc(row.violations)}</td><td class="${row.check === "pass" ? "pass" : "fail"}">${esc(row.check)}</td></tr>`;
}

const SUMMARY_HEAD =
  "<tr><th>scenario</th><th>outcome</th><th>RTO</th><th>RPO</th><th>floor</th><th>RTO/floor</th><th>violations</th><th>check</th></tr>";

export function drillHtml(report: DrillReport, segments: ReadonlyMap<string, readonly Segment[]>): string {
  const timeline = report.timeline
    .filter((e) => e.kind !== "step-started")
    .map(
      (e) =>
        `<tr><td>${esc(clockText(e.atSeconds).trim())}</td><td>${esc(e.source)}</td><td>${esc(e.kind)}</td><td>${esc(e.message)}</td></tr>`,
    )
    .join("\n");
  const incidents =
    report.incidents.map((i) => `<li>${esc(incidentText(i))}</li>`).join("") || "<li>none</li>";
  const ops =
    report.operations
      .map(
        (o) =>
          `<tr><td>${esc(o.kind)}</td><td>${esc(o.id)}</td><td>${esc(o.outcome)}</td><td>${esc(clockText(o.startedAtSeconds).trim())}</td><td>${o.finishedAtSeconds === null ? "in flight" : esc(clockText(o.finishedAtSeconds).trim())}</td><td>${esc(o.reason ?? "")}</td></tr>`,
      )
      .join("\n") || "<tr><td colspan=6>none</td></tr>";
  const violations =
    report.invariantViolations
      .map((v) => `<li class="fail">${esc(`${clockText(v.atSeconds).trim()} ${v.rule}: ${v.message}`)}</li>`)
      .join("") || `<li class="pass">none</li>`;
  const expectations =
    report.expectationFailures.map((f) => `<li class="fail">${esc(f)}</li>`).join("") ||
    `<li class="pass">all met</li>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>regionctl drill: ${esc(report.scenario)}</title><style>${STYLE}</style></head>
<body>
<h1>regionctl drill: ${esc(report.scenario)} <small>(seed ${report.seed})</small></h1>
<table>${SUMMARY_HEAD}${rowHtml(summaryRow(report))}</table>
<h2>Regions over time</h2>
<p class="legend"><span style="background:#2e7d32"></span>serving (clients resolve to it)<span style="background:#81c784"></span>healthy<span style="background:#e53935"></span>unhealthy<span style="background:#1a237e"></span>writer<span style="background:#4e79a7"></span>version (colour per build)</p>
${chartSvg(report, segments)}
<h2>Incidents</h2><ul>${incidents}</ul>
<h2>Operations</h2><table><tr><th>kind</th><th>id</th><th>outcome</th><th>started</th><th>finished</th><th>reason</th></tr>${ops}</table>
<h2>Invariant violations</h2><ul>${violations}</ul>
<h2>Expectations</h2><ul>${expectations}</ul>
<h2>Timeline</h2><table><tr><th>time</th><th>source</th><th>kind</th><th>what</th></tr>${timeline}</table>
</body></html>
`;
}

/** The `--all` index: the summary table, each scenario linking to its own page. */
export function indexHtml(entries: readonly { report: DrillReport; file: string }[]): string {
  const rows = entries
    .map(({ report, file }) =>
      rowHtml(summaryRow(report)).replace(
        `<td>${esc(report.scenario)}</td>`,
        `<td><a href="${esc(file)}">${esc(report.scenario)}</a></td>`,
      ),
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>regionctl drills</title><style>${STYLE}</style></head>
<body><h1>regionctl drills</h1><table>${SUMMARY_HEAD}${rows}</table></body></html>
`;
}
