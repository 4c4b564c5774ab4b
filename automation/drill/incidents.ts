import type { Monitor } from "./monitor";
import { drillSeconds } from "./recorder";
import type { DrillEvent, Scenario } from "./scenario";
import type { LostWrites } from "./simDatabase";

/** One entry per fault (the report's `incidents` field). */
export interface Incident {
  readonly kind: string;
  readonly region: string;
  readonly atSeconds: number;
  /** Fault to recovered (every client on a healthy serving region, writer accepting writes); null if never within the drill. */
  readonly rtoSeconds: number | null;
  /** Writes lost: the promoted region's replication lag at the fault. */
  readonly rpoSeconds: number;
  /** Detection (interval x threshold) + database promotion (writer faults) + TTL; null for faults with no floor. */
  readonly floorSeconds: number | null;
}

const FAULTS = new Set(["outage", "flap", "degrade", "replicationBreak", "apiErrors", "stackUpdateFailure"]);
/** Faults that take an endpoint out: they have a recovery floor. */
const ENDPOINT_FAULTS = new Set(["outage", "flap", "degrade"]);

export function floorSeconds(s: Scenario, writerFault: boolean): number {
  const detection = s.healthCheck.intervalSeconds * s.healthCheck.failureThreshold;
  return detection + (writerFault ? s.database.failoverSeconds : 0) + s.dnsTtlSeconds;
}

/**
 * RTO and RPO of each fault. A fault's window runs until the next fault or planned event (a
 * region's own recovery does not end it) or the end of the drill; the RTO ends with the last
 * unrecovered second in that window, and is null if the window ends unrecovered.
 */
export function computeIncidents(
  scenario: Scenario,
  monitor: Monitor,
  lost: readonly LostWrites[],
  writerAt: ReadonlyMap<number, string>,
  endSeconds: number,
): Incident[] {
  const events = scenario.events;
  const out: Incident[] = [];
  events.forEach((e, i) => {
    if (!FAULTS.has(e.kind)) return;
    const next = events.slice(i + 1).find((n) => n.kind !== "recover" && n.at > e.at);
    const windowEnd = next?.at ?? endSeconds;
    const region = regionOf(e);
    const writerFault = ENDPOINT_FAULTS.has(e.kind) && writerAt.get(e.index) === region;
    const lastEnd = monitor.lastOutageEnd(e.at, windowEnd);
    const unrecoveredAtEnd =
      lastEnd !== null && lastEnd >= windowEnd && !monitor.recoveredThroughout(windowEnd - 1, windowEnd);
    const rto = lastEnd === null ? 0 : unrecoveredAtEnd ? null : lastEnd - e.at;
    const rpo = lost
      .filter((l) => drillSeconds(l.atMs) >= e.at && drillSeconds(l.atMs) < windowEnd)
      .reduce((m, l) => Math.max(m, l.lagSeconds), 0);
    out.push({
      kind: e.kind,
      region,
      atSeconds: e.at,
      rtoSeconds: rto,
      rpoSeconds: rpo,
      floorSeconds: ENDPOINT_FAULTS.has(e.kind) ? floorSeconds(scenario, writerFault) : null,
    });
  });
  return out;
}

function regionOf(e: DrillEvent): string {
  if ("region" in e && typeof e.region === "string") return e.region;
  return "us-east-1";
}
