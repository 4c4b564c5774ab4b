import type { Incident } from "./incidents";
import type { DrillReport } from "./runner";

/** Seconds as h:mm:ss(.s) on the drill clock. */
export function clockText(seconds: number): string {
  const whole = Math.floor(seconds);
  const frac = Math.round((seconds - whole) * 10);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const base = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return frac === 0 ? `${base}  ` : `${base}.${frac}`;
}

const seconds = (v: number | null): string => (v === null ? "-" : `${Math.round(v * 10) / 10} s`);

/** Kinds left out of the terminal timeline: steps starting repeat what the step's end says. */
const QUIET = new Set(["step-started"]);

/** The readable timeline: one line per event and decision, then incidents, operations and checks. */
export function timelineText(r: DrillReport): string[] {
  const lines: string[] = [`drill ${r.scenario} (seed ${r.seed}), ${r.untilSeconds} s`, ""];
  for (const e of r.timeline) {
    if (QUIET.has(e.kind)) continue;
    lines.push(`${clockText(e.atSeconds)}  ${e.source.padEnd(10)} ${e.kind.padEnd(21)} ${e.message}`);
  }
  lines.push("", "incidents:");
  if (r.incidents.length === 0) lines.push("  none");
  for (const i of r.incidents) lines.push(`  ${incidentText(i)}`);
  lines.push("operations:");
  if (r.operations.length === 0) lines.push("  none");
  for (const o of r.operations) {
    lines.push(
      `  ${o.kind} ${o.id}: ${o.outcome} (${clockText(o.startedAtSeconds).trim()} - ${o.finishedAtSeconds === null ? "in flight" : clockText(o.finishedAtSeconds).trim()})`,
    );
  }
  lines.push(`final writer: ${r.finalWriter}`);
  lines.push(
    `regions: ${Object.entries(r.regions)
      .map(
        ([name, s]) => `${name} ${s.version}${s.serving ? " serving" : ""}${s.healthy ? "" : " UNHEALTHY"}`,
      )
      .join("; ")}`,
  );
  lines.push(
    `invariant violations: ${r.invariantViolations.length === 0 ? "none" : r.invariantViolations.length}`,
  );
  for (const v of r.invariantViolations)
    lines.push(`  ${clockText(v.atSeconds).trim()} ${v.rule}: ${v.message}`);
  if (r.expectationFailures.length > 0) {
    lines.push("expectations not met:");
    for (const f of r.expectationFailures) lines.push(`  ${f}`);
  }
  return lines;
}

export function incidentText(i: Incident): string {
  const ratio =
    i.rtoSeconds !== null && i.floorSeconds !== null && i.floorSeconds > 0
      ? ` (${(i.rtoSeconds / i.floorSeconds).toFixed(2)} x floor)`
      : "";
  return `${i.kind} ${i.region} at ${i.atSeconds} s: RTO ${i.rtoSeconds === null ? "not recovered" : seconds(i.rtoSeconds)}, RPO ${seconds(i.rpoSeconds)}, floor ${seconds(i.floorSeconds)}${ratio}`;
}

/** The incident a scenario is judged by: the worst recovery among faults that have a floor. */
export function headlineIncident(r: DrillReport): Incident | null {
  const withFloor = r.incidents.filter((i) => i.floorSeconds !== null);
  if (withFloor.length === 0) return null;
  return withFloor.reduce((worst, i) => {
    const score = (x: Incident): number =>
      x.rtoSeconds === null ? Number.POSITIVE_INFINITY : x.rtoSeconds / (x.floorSeconds ?? 1);
    return score(i) > score(worst) ? i : worst;
  });
}

/** What happened, in a few words: each operation's kind and outcome, or the controller's report. */
export function outcomeText(r: DrillReport): string {
  const ops = r.operations.map((o) => `${o.kind} ${o.outcome}`);
  const parts = ops.length > 0 ? ops : ["no operation"];
  return parts.join(", ");
}

export interface SummaryRow {
  readonly scenario: string;
  readonly outcome: string;
  readonly rto: string;
  readonly rpo: string;
  readonly floor: string;
  readonly ratio: string;
  readonly availability: string;
  readonly violations: string;
  readonly check: string;
}

/** A share as a percentage with enough digits to tell 99.9 % from 99.99 %. */
export function percent(share: number): string {
  return `${(Math.floor(share * 100_000) / 1000).toFixed(3)} %`;
}

export function summaryRow(r: DrillReport): SummaryRow {
  const h = headlineIncident(r);
  return {
    scenario: r.scenario,
    outcome: outcomeText(r),
    rto: h === null ? "-" : h.rtoSeconds === null ? "never" : seconds(h.rtoSeconds),
    rpo: h === null ? "-" : seconds(h.rpoSeconds),
    floor: h === null ? "-" : seconds(h.floorSeconds),
    ratio:
      h === null || h.rtoSeconds === null || h.floorSeconds === null
        ? "-"
        : (h.rtoSeconds / h.floorSeconds).toFixed(2),
    availability: `${percent(r.availability.requests)} / ${percent(r.availability.writes)}`,
    violations: String(r.invariantViolations.length),
    check: r.invariantViolations.length === 0 && r.expectationFailures.length === 0 ? "pass" : "FAIL",
  };
}

const HEADERS: Record<keyof SummaryRow, string> = {
  scenario: "scenario",
  outcome: "outcome",
  rto: "RTO",
  rpo: "RPO",
  floor: "floor",
  ratio: "RTO/floor",
  availability: "requests / writes ok",
  violations: "violations",
  check: "check",
};

/** A plain-text table, columns padded to their widest cell. */
export function summaryTable(rows: readonly SummaryRow[]): string[] {
  const keys = Object.keys(HEADERS) as (keyof SummaryRow)[];
  const width = (k: keyof SummaryRow): number => Math.max(HEADERS[k].length, ...rows.map((r) => r[k].length));
  const line = (cells: Record<keyof SummaryRow, string>): string =>
    keys
      .map((k) => cells[k].padEnd(width(k)))
      .join("  ")
      .trimEnd();
  return [line(HEADERS), keys.map((k) => "-".repeat(width(k))).join("  "), ...rows.map((r) => line(r))];
}
