import { labelWidth, packRows, rowCount } from "./labelRows";
import type { Segment } from "./monitor";
import type { DrillReport } from "./runner";
import { clockText } from "./terminalReport";

/**
 * The drill's chart as inline SVG. From top to bottom: scenario events and "a person must act"
 * markers, RTO labels, one bar per operation, then per region the rows serving, healthy, version
 * and writer. Each incident's RTO window is shaded across the regions. Labels in a band are packed
 * into rows so none overlap, and event lines skip every band that holds text, so they never cross
 * a label.
 */

export const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export const VERSION_PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#b07aa1",
  "#9c755f",
  "#e15759",
  "#76b7b2",
  "#edc948",
];

/** Each version's colour, in order of first appearance. */
export function versionColors(segments: ReadonlyMap<string, readonly Segment[]>): Map<string, string> {
  const versions = [...new Set([...segments.values()].flatMap((list) => list.map((s) => s.version)))];
  return new Map(versions.map((v, i) => [v, VERSION_PALETTE[i % VERSION_PALETTE.length]]));
}

/** A controller decision that leaves the next move to a person (the watcher exits 1 for it). */
export const needsPerson = (e: DrillReport["timeline"][number]): boolean =>
  e.source === "controller" && e.kind === "decision" && /^[\w-]+ reported: /.test(e.message);

const ROWS = ["serving", "healthy", "version", "writer"] as const;

const LEFT = 190;
const WIDTH = 1120;
const RIGHT = 20;
const ROW_H = 16;
const ROW_GAP = 3;
const LANE_GAP = 16;
const LABEL_ROW_H = 13;
const BAR_H = 15;
const BAR_GAP = 3;
const SMALL_FONT = 10;

const OUTCOME_CLASS: Record<string, string> = {
  succeeded: "ok",
  rolledback: "back",
  aborted: "back",
  failed: "bad",
  refused: "bad",
};

const secondsText = (s: number): string => `${Math.round(s * 10) / 10} s`;

interface Band {
  readonly top: number;
  readonly bottom: number;
}

/** Vertical line pieces at x that leave out every band in `skip`. */
function brokenLine(x: number, from: number, to: number, skip: readonly Band[]): string {
  const cuts = [...skip].filter((b) => b.bottom > from && b.top < to).sort((a, b) => a.top - b.top);
  const parts: string[] = [];
  let y = from;
  for (const b of cuts) {
    if (b.top > y) parts.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${b.top}"/>`);
    y = Math.max(y, b.bottom);
  }
  if (to > y) parts.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${to}"/>`);
  return parts.join("");
}

/** Stretches in which one row's value stays the same. */
function rowRuns(
  segments: readonly Segment[],
  key: (typeof ROWS)[number],
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

export function chartSvg(report: DrillReport, segments: ReadonlyMap<string, readonly Segment[]>): string {
  const regions = Object.keys(report.regions);
  const end = Math.max(report.endSeconds, 1);
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (s: number): number =>
    Math.round((LEFT + (Math.min(Math.max(s, 0), end) / end) * plotW) * 10) / 10;
  const colors = versionColors(segments);

  // Band 1: scenario events and the moments a person must act, labels packed into rows.
  const marks = [
    ...report.timeline
      .filter((e) => e.source === "scenario" && e.kind !== "until")
      .map((e) => ({ at: e.atSeconds, label: e.kind, cls: "event", title: e.message })),
    ...report.timeline
      .filter(needsPerson)
      .map((e) => ({ at: e.atSeconds, label: "a person must act", cls: "event act", title: e.message })),
  ];
  const markSpans = marks.map((m) => ({ from: x(m.at), to: x(m.at) + 3 + labelWidth(m.label, SMALL_FONT) }));
  const markRows = packRows(markSpans);
  const marksTop = 4;
  const marksBottom = marksTop + Math.max(rowCount(markRows), 1) * LABEL_ROW_H + 2;

  // Band 2: the label of each incident's RTO window.
  const windows = report.incidents
    .filter((i) => i.rtoSeconds === null || i.rtoSeconds > 0)
    .map((i) => ({
      from: i.atSeconds,
      to: i.rtoSeconds === null ? end : i.atSeconds + i.rtoSeconds,
      label: `RTO ${i.rtoSeconds === null ? "not recovered" : secondsText(i.rtoSeconds)} (${i.kind} ${i.region})`,
      title: `${i.kind} of ${i.region} at ${clockText(i.atSeconds).trim()}: RTO ${i.rtoSeconds === null ? "not recovered" : secondsText(i.rtoSeconds)}, RPO ${secondsText(i.rpoSeconds)}${i.floorSeconds === null ? "" : `, floor ${secondsText(i.floorSeconds)}`}`,
    }));
  const windowRows = packRows(
    windows.map((w) => ({ from: x(w.from), to: x(w.from) + 3 + labelWidth(w.label, SMALL_FONT) })),
  );
  const rtoTop = marksBottom + 2;
  const rtoBottom = rtoTop + rowCount(windowRows) * LABEL_ROW_H + (windows.length > 0 ? 2 : 0);

  // Band 3: one bar per operation, its label inside or past the bar, packed into rows.
  const ops = report.operations.map((o) => {
    const label = `${o.kind} ${o.outcome}`;
    const x1 = x(o.startedAtSeconds);
    const x2 = Math.max(x(o.finishedAtSeconds ?? end), x1 + 2);
    return { o, label, x1, x2 };
  });
  const opRows = packRows(
    ops.map((p) => ({ from: p.x1, to: Math.max(p.x2, p.x1 + 3 + labelWidth(p.label, SMALL_FONT)) })),
  );
  const opsTop = rtoBottom + 4;
  const opsBottom = opsTop + rowCount(opRows) * (BAR_H + BAR_GAP);

  const lanesTop = opsBottom + 10;
  const laneH = ROWS.length * (ROW_H + ROW_GAP) + LANE_GAP;
  const lanesBottom = lanesTop + regions.length * laneH - LANE_GAP;
  const height = lanesBottom + 34;
  // Event lines show only across the regions' rows, and skip the version rows that carry labels.
  const textBands: Band[] = [
    { top: 0, bottom: lanesTop - 4 },
    ...regions.map((_, i) => {
      const y = lanesTop + i * laneH + 2 * (ROW_H + ROW_GAP);
      return { top: y - 1, bottom: y + ROW_H + 1 };
    }),
  ];

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="regions over time">`,
  ];
  const step = [60, 120, 300, 600, 900, 1800, 3600].find((t) => end / t <= 12) ?? 7200;
  for (let t = 0; t <= end; t += step) {
    parts.push(`<line class="grid" x1="${x(t)}" y1="${lanesTop - 4}" x2="${x(t)}" y2="${lanesBottom + 4}"/>`);
    parts.push(
      `<text class="tick" x="${x(t)}" y="${height - 12}" text-anchor="middle">${esc(clockText(t).trim())}</text>`,
    );
  }

  regions.forEach((region, i) => {
    const y0 = lanesTop + i * laneH;
    parts.push(`<g class="lane" data-region="${esc(region)}">`);
    parts.push(`<text class="region" x="8" y="${y0 + 12}">${esc(region)}</text>`);
    ROWS.forEach((row, j) => {
      const y = y0 + j * (ROW_H + ROW_GAP);
      parts.push(`<text class="row" x="${LEFT - 8}" y="${y + 12}" text-anchor="end">${row}</text>`);
      parts.push(`<rect class="track" x="${LEFT}" y="${y}" width="${plotW}" height="${ROW_H}"/>`);
      for (const run of rowRuns(segments.get(region) ?? [], row)) {
        const x1 = x(run.from);
        const w = Math.max(x(run.to) - x1, 0.5);
        const title = `${region} ${clockText(run.from).trim()}-${clockText(run.to).trim()}`;
        const rect = (cls: string, what: string, fill = ""): string =>
          `<rect class="seg ${cls}" x="${x1}" y="${y}" width="${w}" height="${ROW_H}"${fill}><title>${esc(`${title}: ${what}`)}</title></rect>`;
        if (row === "serving" && run.value === true) parts.push(rect("serving", "receives clients"));
        else if (row === "healthy")
          parts.push(
            rect(run.value === true ? "healthy" : "unhealthy", run.value === true ? "healthy" : "unhealthy"),
          );
        else if (row === "writer" && run.value === true) parts.push(rect("writer", "writer"));
        else if (row === "version") {
          const v = String(run.value);
          parts.push(rect("version", v, ` fill="${colors.get(v) ?? VERSION_PALETTE[0]}"`));
          if (labelWidth(v, SMALL_FONT) + 8 <= w)
            parts.push(`<text class="label" x="${x1 + 4}" y="${y + 12}">${esc(v)}</text>`);
        }
      }
    });
    parts.push("</g>");
  });

  windows.forEach((w, k) => {
    const x1 = x(w.from);
    const ly = rtoTop + windowRows[k] * LABEL_ROW_H + 10;
    parts.push(
      `<g class="rto"><rect x="${x1}" y="${rtoTop}" width="${Math.max(x(w.to) - x1, 1)}" height="${lanesBottom - rtoTop}"/><text x="${x1 + 3}" y="${ly}">${esc(w.label)}</text><title>${esc(w.title)}</title></g>`,
    );
  });

  ops.forEach((p, k) => {
    const y = opsTop + opRows[k] * (BAR_H + BAR_GAP);
    const cls = OUTCOME_CLASS[p.o.outcome] ?? "open";
    const when = `${clockText(p.o.startedAtSeconds).trim()}-${p.o.finishedAtSeconds === null ? "in flight" : clockText(p.o.finishedAtSeconds).trim()}`;
    parts.push(
      `<g class="op ${cls}" data-kind="${esc(p.o.kind)}"><rect x="${p.x1}" y="${y}" width="${p.x2 - p.x1}" height="${BAR_H}"/><text x="${p.x1 + 3}" y="${y + 11}">${esc(p.label)}</text><title>${esc(`${p.o.kind} ${p.o.id} ${when}: ${p.o.outcome}${p.o.reason === null ? "" : ` (${p.o.reason})`}`)}</title></g>`,
    );
  });

  marks.forEach((m, k) => {
    const mx = x(m.at);
    const ly = marksTop + markRows[k] * LABEL_ROW_H + 10;
    parts.push(
      `<g class="${m.cls}">${brokenLine(mx, ly + 3, lanesBottom, textBands)}<text x="${mx + 3}" y="${ly}">${esc(m.label)}</text><title>${esc(`${clockText(m.at).trim()} ${m.title}`)}</title></g>`,
    );
  });
  for (const v of report.invariantViolations) {
    parts.push(
      `<g class="violation">${brokenLine(x(v.atSeconds), marksTop, lanesBottom, textBands)}<title>${esc(`${v.rule}: ${v.message}`)}</title></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
