import { faultFloor, partialFaultFloor } from "./floor";
import type { Monitor, Stretch } from "./monitor";
import type { ProbeLog } from "./probeLog";
import { drillSeconds } from "./recorder";
import type { DrillEvent, Scenario } from "./scenario";
import type { LostWrites } from "./simDatabase";

/** One entry per fault, and one per stretch of impact that no fault explains (the `incidents` field). */
export interface Incident {
  readonly kind: string;
  readonly region: string;
  readonly atSeconds: number;
  /** Fault to recovered (every client on a healthy serving region, writer accepting writes); null if never within the drill. */
  readonly rtoSeconds: number | null;
  /** Writes lost: the promoted region's replication lag at the fault, counted in one incident only. */
  readonly rpoSeconds: number;
  /**
   * The longer of the clients path and the writer path (see `floor.ts`); null for faults with no
   * floor: those that take no endpoint out, and those that strike a region that was not steady.
   */
  readonly floorSeconds: number | null;
}

/**
 * Kinds of impact no fault explains, by the latest event before it: a release (`deploy-impact`, a
 * bad build that reached clients), a planned writer move (`switchover-impact`: the writes paused
 * while the database switches over), anything else the controller did (`self-inflicted`).
 */
export const DEPLOY_IMPACT = "deploy-impact";
export const SWITCHOVER_IMPACT = "switchover-impact";
export const SELF_INFLICTED = "self-inflicted";

const FAULTS = new Set(["outage", "flap", "degrade", "replicationBreak", "apiErrors", "stackUpdateFailure"]);
/** A person's commands on the operation in flight, whichever regions it moves. */
const OPERATOR_COMMANDS = new Set(["abort", "promote"]);
/** Faults that take an endpoint out: they have a recovery floor. */
const ENDPOINT_FAULTS = new Set(["outage", "flap", "degrade"]);

/**
 * RTO and RPO of each fault, each on its own impact. An endpoint fault's impact is the time clients
 * still reach its region while the region is unhealthy and, when it took the writer, the time no
 * writer accepts writes; any other fault's impact is the service's. A fault owns the stretches of
 * its impact that begin before the next event that acts on the same region (or on every region:
 * a deploy, a switchover, a failback, an operator's abort or promote); a stretch it owns counts to its end, even past that event.
 * The RTO ends with the last stretch it owns; null if that one was still open at the end.
 * Seconds of impact no fault owns become incidents of their own (see `SELF_INFLICTED`).
 */
export function computeIncidents(
  scenario: Scenario,
  monitor: Monitor,
  lost: readonly LostWrites[],
  writerAt: ReadonlyMap<number, string>,
  endSeconds: number,
  /** The controller's operations: one in flight at a fault may move DNS for its own reasons. */
  operations: readonly { kind: string; startedAtSeconds: number; finishedAtSeconds: number | null }[] = [],
  /** The direct probes' answers: when a partial fault could first be known (see `partialFaultFloor`). */
  probes?: ProbeLog,
): Incident[] {
  const s = scenario;
  const events = scenario.events;
  const out: Incident[] = [];
  const owned: Stretch[] = [];
  const faults = events.filter((e) => FAULTS.has(e.kind));
  const floorOf = (e: DrillEvent, region: string, writerFault: boolean): number | null => {
    if (e.kind === "flap" || e.kind === "degrade") {
      const recovered = events.find((n) => n.at > e.at && n.kind === "recover" && regionOf(n) === region);
      return partialFaultFloor(scenario, e.at, {
        badAnswers: (monitor.segments.get(region) ?? [])
          .filter((seg) => seg.serving && !seg.healthy)
          .map((seg) => ({ from: seg.fromSeconds, to: seg.toSeconds })),
        probes: probes?.of(region) ?? [],
        endSeconds: recovered?.at ?? endSeconds,
        untilSeconds: endSeconds,
        writer: writerAt.get(e.index) === region,
      });
    }
    return faultFloor(scenario, { kind: "outage", atSeconds: e.at }, writerFault).floorSeconds;
  };
  for (const e of faults) {
    const region = regionOf(e);
    const writerFault = e.kind === "outage" && writerAt.get(e.index) === region;
    const next = events.find((n) => n.at > e.at && n.kind !== "recover" && actsOn(n, region));
    const windowEnd = next?.at ?? endSeconds;
    const impact = ENDPOINT_FAULTS.has(e.kind)
      ? union(monitor.clientImpact.get(region) ?? [], writerFault ? monitor.writerImpact : [])
      : monitor.outages;
    const mine = impact.filter((o) => o.to > e.at && o.from < windowEnd);
    owned.push(...mine.map((o) => ({ from: Math.max(o.from, e.at), to: o.to })));
    const last = mine[mine.length - 1];
    // The floor assumes a fault that strikes a steady region: every checker's streak reset, one
    // writer, and no operation in flight that could change DNS records on its own (a switchover, a
    // hold-out; a release moves traffic only inside each region). Any other fault inherits part of its impact, or its end, and has no floor.
    const calm = s.healthCheck.intervalSeconds * (s.healthCheck.failureThreshold + 1);
    const busy = operations.some(
      (o) =>
        o.kind !== "deploy" &&
        o.startedAtSeconds <= e.at &&
        (o.finishedAtSeconds === null || o.finishedAtSeconds > e.at),
    );
    const steady =
      !busy &&
      monitor.regionSteady(region, e.at - calm, e.at) &&
      (!writerFault || monitor.writerSteady(e.at - calm, e.at));
    const rto =
      last === undefined
        ? 0
        : last.to >= endSeconds && !monitor.recoveredThroughout(endSeconds - 1, endSeconds)
          ? null
          : last.to - e.at;
    out.push({
      kind: e.kind,
      region,
      atSeconds: e.at,
      rtoSeconds: rto,
      rpoSeconds: 0,
      floorSeconds: !ENDPOINT_FAULTS.has(e.kind) || !steady ? null : floorOf(e, region, writerFault),
    });
  }
  // Each loss belongs to the latest fault at or before it, so no write is counted twice.
  const rpo = new Map<number, number>();
  for (const l of lost) {
    const at = drillSeconds(l.atMs);
    let owner = -1;
    faults.forEach((f, i) => {
      if (f.at <= at) owner = i;
    });
    if (owner >= 0) rpo.set(owner, Math.max(rpo.get(owner) ?? 0, l.lagSeconds));
  }
  const withRpo = out.map((inc, i) => ({ ...inc, rpoSeconds: rpo.get(i) ?? 0 }));
  for (const stretch of unowned(monitor.outages, owned)) {
    // An abort or a promote acts on the operation an earlier event started: that event is the cause.
    const cause = [...events]
      .reverse()
      .find((e) => e.at <= stretch.from && e.kind !== "recover" && !OPERATOR_COMMANDS.has(e.kind));
    withRpo.push({
      kind:
        cause?.kind === "deploy"
          ? DEPLOY_IMPACT
          : cause?.kind === "switchover" || cause?.kind === "failback"
            ? SWITCHOVER_IMPACT
            : SELF_INFLICTED,
      region: impactedRegion(monitor, stretch, scenario.writer),
      atSeconds: stretch.from,
      rtoSeconds: stretch.to >= endSeconds ? null : stretch.to - stretch.from,
      rpoSeconds: 0,
      floorSeconds: null,
    });
  }
  return withRpo.sort((a, b) => a.atSeconds - b.atSeconds);
}

function regionOf(e: DrillEvent): string {
  if ("region" in e && typeof e.region === "string") return e.region;
  return "us-east-1";
}

/** Whether an event changes what happens to `region`: its own faults, or actions on every region. */
function actsOn(e: DrillEvent, region: string): boolean {
  if (e.kind === "deploy" || e.kind === "switchover" || e.kind === "failback") return true;
  if (OPERATOR_COMMANDS.has(e.kind)) return true;
  return regionOf(e) === region;
}

/** Sorted, merged union of two lists of stretches. */
export function union(a: readonly Stretch[], b: readonly Stretch[]): Stretch[] {
  const all = [...a, ...b].map((s) => ({ ...s })).sort((x, y) => x.from - y.from);
  const out: Stretch[] = [];
  for (const s of all) {
    const last = out[out.length - 1];
    if (last !== undefined && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push(s);
  }
  return out;
}

/** The parts of `all` that no stretch in `owned` covers. */
export function unowned(all: readonly Stretch[], owned: readonly Stretch[]): Stretch[] {
  const cover = union(owned, []);
  const out: Stretch[] = [];
  for (const s of all) {
    let from = s.from;
    for (const c of cover) {
      if (c.to <= from || c.from >= s.to) continue;
      if (c.from > from) out.push({ from, to: c.from });
      from = Math.max(from, c.to);
    }
    if (from < s.to) out.push({ from, to: s.to });
  }
  return out;
}

/** The first region clients were stuck on when the stretch began, else the writer that went missing. */
function impactedRegion(monitor: Monitor, s: Stretch, writer: string): string {
  for (const [region, list] of monitor.clientImpact) {
    if (list.some((o) => o.from <= s.from && o.to > s.from)) return region;
  }
  return writer;
}
