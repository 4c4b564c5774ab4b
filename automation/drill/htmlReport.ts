import type { Segment } from "./monitor";
import { chartSvg, esc, needsPerson, versionColors } from "./reportChart";
import type { DrillReport } from "./runner";
import { clockText, incidentText, type SummaryRow, summaryRow } from "./terminalReport";

/**
 * The HTML report: self-contained pages (no scripts, no external files). A scenario's page opens
 * with what the scenario does, its verdict and the reasons for it, and whether a person must act;
 * then the chart, the tables and a timeline that CSS alone filters by region and source.
 */

/** The report fields the page reads; `availability` is shown when the drill measured it. */
export type ReportView = DrillReport & {
  readonly availability?: { readonly requests: number; readonly writes: number };
};

export interface PageOptions {
  /** What the scenario rehearses (its `description`). */
  readonly description?: string;
  /** Links to the index and the neighbouring pages of an `--all` run. */
  readonly nav?: { readonly index: string; readonly previous?: string; readonly next?: string };
}

const SOURCES = ["scenario", "controller", "cloud", "check"] as const;

/** Operation kinds a reader meets in the report, in the controller's own words. */
const OPERATION_KINDS: readonly [string, string][] = [
  ["deploy", "a release promoted region by region (rolling, blue-green or canary)"],
  ["failover", "the writer moved off a failed region"],
  ["switchover", "a planned move of the writer (RPO 0)"],
  ["failback", "the writer moved back after a failover"],
  ["repair", "a secondary re-attached to the global database"],
  ["sync", "the data-sync jobs run now"],
  [
    "traffic",
    "the watcher changed which regions receive clients: it took a failing or flapping region out of traffic, readmitted a healthy one, or finished the routing a failover left behind",
  ],
];

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px 24px; color: #222; max-width: 1180px; }
h1 { font-size: 20px; margin: 6px 0; } h2 { font-size: 16px; margin-top: 26px; }
nav { font-size: 13px; } nav a { margin-right: 14px; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.verdict, .verdict.pass, .verdict.fail { color: #fff; }
.verdict { display: inline-block; padding: 1px 10px; border-radius: 4px; color: #fff; font-size: 14px; vertical-align: 2px; }
.verdict.pass { background: #1a7f37; } .verdict.fail { background: #c62828; }
.pass { color: #1a7f37; } .fail { color: #c62828; font-weight: bold; }
.description { font-size: 15px; max-width: 900px; }
.reasons { margin: 6px 0 10px; }
.act { background: #fff3e0; border-left: 4px solid #e65100; padding: 6px 12px; margin: 10px 0; }
.act strong { color: #e65100; }
.figures span { display: inline-block; margin-right: 22px; } .figures b { font-size: 16px; }
.chart .track { fill: #f1f1f1; } .chart .serving { fill: #2e7d32; } .chart .healthy { fill: #81c784; }
.chart .unhealthy { fill: #e53935; } .chart .writer { fill: #1a237e; } .chart .grid { stroke: #ddd; }
.chart .tick, .chart .row { font-size: 11px; fill: #555; } .chart .region { font-size: 13px; font-weight: bold; }
.chart .label { font-size: 10px; fill: #fff; }
.chart .event line { stroke: #6a1b9a; stroke-dasharray: 4 3; } .chart .event text { font-size: 10px; fill: #6a1b9a; }
.chart .event.act line { stroke: #e65100; stroke-dasharray: none; stroke-width: 2; } .chart .event.act text { fill: #e65100; font-weight: bold; }
.chart .violation line { stroke: #c62828; stroke-width: 2; }
.chart .rto rect { fill: #e53935; fill-opacity: 0.13; stroke: #e53935; stroke-opacity: 0.4; } .chart .rto text { font-size: 10px; fill: #b71c1c; }
.chart .op rect { stroke-width: 1; } .chart .op text { font-size: 10px; fill: #222; }
.chart .op.ok rect { fill: #c8e6c9; stroke: #2e7d32; } .chart .op.back rect { fill: #ffe0b2; stroke: #e65100; }
.chart .op.bad rect { fill: #ffcdd2; stroke: #c62828; } .chart .op.open rect { fill: #e0e0e0; stroke: #757575; }
.legend { font-size: 13px; margin: 4px 0; } .legend span.sw { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: -2px; }
.kinds dt { font-weight: bold; float: left; width: 90px; } .kinds dd { margin-left: 100px; }
.filter { border: 1px solid #ddd; padding: 6px 10px; margin-bottom: 8px; font-size: 13px; }
.filter label { margin-right: 12px; white-space: nowrap; }
#timeline tr.act td { background: #fff3e0; } #timeline td:nth-child(-n+4) { white-space: nowrap; }
`;

const pct = (share: number): string => `${(Math.round(share * 10000) / 100).toFixed(2)} %`;
const passed = (r: DrillReport): boolean =>
  r.invariantViolations.length === 0 && r.expectationFailures.length === 0;
const filterId = (prefix: string, value: string): string =>
  `f-${prefix}-${value.replace(/[^a-z0-9-]/gi, "_")}`;

/** Why the drill passed or failed, one line per reason. */
export function verdictReasons(r: DrillReport): string[] {
  if (!passed(r)) {
    return [
      ...r.invariantViolations.map(
        (v) => `${clockText(v.atSeconds).trim()} safety rule ${v.rule} broken: ${v.message}`,
      ),
      ...r.expectationFailures.map((f) => `expected: ${f}`),
    ];
  }
  const row = summaryRow(r);
  return [
    "every safety rule held (no invariant violation)",
    "every expectation of the scenario was met",
    ...(row.ratio === "-"
      ? []
      : [`worst recovery: RTO ${row.rto} against a floor of ${row.floor} (${row.ratio} x)`]),
  ];
}

function rowHtml(row: SummaryRow, name = esc(row.scenario)): string {
  return `<tr><td>${name}</td><td>${esc(row.outcome)}</td><td>${esc(row.rto)}</td><td>${esc(row.rpo)}</td><td>${esc(row.floor)}</td><td>${esc(row.ratio)}</td><td>${esc(row.violations)}</td><td class="${row.check === "pass" ? "pass" : "fail"}">${esc(row.check)}</td></tr>`;
}

const SUMMARY_HEAD =
  "<tr><th>scenario</th><th>outcome</th><th>RTO</th><th>RPO</th><th>floor</th><th>RTO/floor</th><th>violations</th><th>check</th></tr>";

function navHtml(nav: PageOptions["nav"]): string {
  if (nav === undefined) return "";
  const links = [
    `<a href="${esc(nav.index)}">&larr; all drills</a>`,
    nav.previous === undefined ? "" : `<a href="${esc(nav.previous)}" rel="prev">previous</a>`,
    nav.next === undefined ? "" : `<a href="${esc(nav.next)}" rel="next">next</a>`,
  ];
  return `<nav>${links.join("")}</nav>`;
}

function personHtml(r: DrillReport): string {
  const asks = r.timeline.filter(needsPerson);
  if (asks.length === 0) return "";
  const items = asks.map((e) => `<li>${esc(`${clockText(e.atSeconds).trim()} ${e.message}`)}</li>`).join("");
  return `<div class="act" id="person"><strong>A person must act.</strong> The controller left these moves to a person and said what to run (the watcher exits 1 where the line says so):<ul>${items}</ul></div>`;
}

function figuresHtml(r: ReportView): string {
  const row = summaryRow(r);
  const figures = [
    `<span>RTO <b>${esc(row.rto)}</b></span>`,
    `<span>RPO <b>${esc(row.rpo)}</b></span>`,
    `<span>floor <b>${esc(row.floor)}</b></span>`,
    `<span>final writer <b>${esc(r.finalWriter)}</b></span>`,
  ];
  if (r.availability !== undefined) {
    figures.push(
      `<span class="availability">requests served <b>${pct(r.availability.requests)}</b></span>`,
      `<span class="availability">writes accepted <b>${pct(r.availability.writes)}</b></span>`,
    );
  }
  return `<p class="figures">${figures.join("")}</p>`;
}

function timelineHtml(r: DrillReport): string {
  const entries = r.timeline.filter((e) => e.kind !== "step-started");
  const regions = Object.keys(r.regions);
  const boxes = (prefix: string, values: readonly string[], label: (v: string) => string): string =>
    values
      .map(
        (v) => `<label><input type="checkbox" id="${filterId(prefix, v)}" checked> ${esc(label(v))}</label>`,
      )
      .join("");
  const hide = (prefix: string, attr: string, values: readonly string[]): string =>
    values
      .map(
        (v) =>
          `body:has(#${filterId(prefix, v)}:not(:checked)) #timeline tr[${attr}="${esc(v)}"] { display: none; }`,
      )
      .join("\n");
  const rows = entries
    .map(
      (e) =>
        `<tr data-source="${esc(e.source)}" data-region="${esc(e.region ?? "none")}"${needsPerson(e) ? ' class="act"' : ""}><td>${esc(clockText(e.atSeconds).trim())}</td><td>${esc(e.source)}</td><td>${esc(e.region ?? "")}</td><td>${esc(e.kind)}</td><td>${needsPerson(e) ? "<strong>a person must act:</strong> " : ""}${esc(e.message)}</td></tr>`,
    )
    .join("\n");
  return `<style>
${hide("src", "data-source", SOURCES)}
${hide("reg", "data-region", [...regions, "none"])}
</style>
<div class="filter">Sources: ${boxes("src", SOURCES, (v) => v)}<br>Regions: ${boxes("reg", [...regions, "none"], (v) => (v === "none" ? "no region" : v))}</div>
<table id="timeline"><tr><th>time</th><th>source</th><th>region</th><th>kind</th><th>what</th></tr>${rows}</table>`;
}

export function drillHtml(
  report: ReportView,
  segments: ReadonlyMap<string, readonly Segment[]>,
  options: PageOptions = {},
): string {
  const ok = passed(report);
  const incidents =
    report.incidents.map((i) => `<li>${esc(incidentText(i))}</li>`).join("") || "<li>none</li>";
  const ops =
    report.operations
      .map(
        (o) =>
          `<tr><td>${esc(o.kind)}</td><td>${esc(o.id)}</td><td>${esc(o.outcome)}</td><td>${esc(clockText(o.startedAtSeconds).trim())}</td><td>${o.finishedAtSeconds === null ? "in flight" : esc(clockText(o.finishedAtSeconds).trim())}</td><td>${esc(o.reason ?? "")}</td></tr>`,
      )
      .join("\n") || "<tr><td colspan=6>none</td></tr>";
  const legend = [...versionColors(segments)]
    .map(([v, c]) => `<span class="sw" style="background:${c}"></span>${esc(v)}`)
    .join("");
  const kinds = OPERATION_KINDS.map(([k, what]) => `<dt>${k}</dt><dd>${esc(what)}</dd>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>regionctl drill: ${esc(report.scenario)}</title><style>${STYLE}</style></head>
<body>
${navHtml(options.nav)}
<h1>regionctl drill: ${esc(report.scenario)} <span class="verdict ${ok ? "pass" : "fail"}">${ok ? "PASS" : "FAIL"}</span> <small>(seed ${report.seed})</small></h1>
${options.description === undefined ? "" : `<p class="description">${esc(options.description.trim())}</p>`}
<ul class="reasons ${ok ? "pass" : "fail"}">${verdictReasons(report)
    .map((r) => `<li>${esc(r)}</li>`)
    .join("")}</ul>
${personHtml(report)}
${figuresHtml(report)}
<h2>Regions over time</h2>
<p class="legend" id="legend">Rows: <span class="sw" style="background:#2e7d32"></span>serving (clients resolve to it)<span class="sw" style="background:#81c784"></span>healthy<span class="sw" style="background:#e53935"></span>unhealthy<span class="sw" style="background:#1a237e"></span>writer<span class="sw" style="background:#fdecea;border:1px solid #e53935"></span>RTO window (fault to recovery)</p>
<p class="legend" id="versions">Versions:${legend}</p>
<p class="legend">Operations: <span class="sw" style="background:#c8e6c9;border:1px solid #2e7d32"></span>succeeded<span class="sw" style="background:#ffe0b2;border:1px solid #e65100"></span>rolled back or aborted<span class="sw" style="background:#ffcdd2;border:1px solid #c62828"></span>failed<span class="sw" style="background:#e0e0e0;border:1px solid #757575"></span>in flight</p>
${chartSvg(report, segments)}
<h2>Incidents</h2><ul>${incidents}</ul>
<h2>Operations</h2><table><tr><th>kind</th><th>id</th><th>outcome</th><th>started</th><th>finished</th><th>reason</th></tr>${ops}</table>
<dl class="kinds">${kinds}</dl>
<h2>Summary</h2><table>${SUMMARY_HEAD}${rowHtml(summaryRow(report))}</table>
<h2>Timeline</h2>
${timelineHtml(report)}
</body></html>
`;
}

/** The `--all` index: the summary table, each scenario linking to its own page. */
export function indexHtml(
  entries: readonly { report: ReportView; file: string; description?: string }[],
): string {
  const withAvailability = entries.some((e) => e.report.availability !== undefined);
  const rows = entries
    .map(({ report, file, description }) => {
      const row = summaryRow(report);
      const title = description === undefined ? "" : ` title="${esc(description.trim())}"`;
      const notes = [
        ...(report.timeline.some(needsPerson) ? ['<strong class="act-note">a person must act</strong>'] : []),
        ...(passed(report) ? [] : verdictReasons(report).map(esc)),
      ].join("<br>");
      const availability =
        report.availability === undefined
          ? "-"
          : `${pct(report.availability.requests)} / ${pct(report.availability.writes)}`;
      return rowHtml(row, `<a href="${esc(file)}"${title}>${esc(report.scenario)}</a>`).replace(
        "</tr>",
        `${withAvailability ? `<td>${availability}</td>` : ""}<td>${notes}</td></tr>`,
      );
    })
    .join("\n");
  const head = SUMMARY_HEAD.replace(
    "</tr>",
    `${withAvailability ? "<th>requests / writes ok</th>" : ""}<th>notes</th></tr>`,
  );
  const failed = entries.filter((e) => !passed(e.report)).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>regionctl drills</title><style>${STYLE}</style></head>
<body><h1>regionctl drills <span class="verdict ${failed === 0 ? "pass" : "fail"}">${failed === 0 ? "PASS" : `${failed} FAILED`}</span></h1>
<p>${entries.length} scenarios on the simulated cloud. Each name opens its page: the chart, the operations and the full timeline.</p>
<table>${head}${rows}</table></body></html>
`;
}
