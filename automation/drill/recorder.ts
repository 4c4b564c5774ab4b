import type { VirtualClock } from "./virtualClock";
import { DRILL_EPOCH_MS } from "./virtualClock";

/** Who a timeline line comes from. */
export type TimelineSource = "scenario" | "controller" | "cloud" | "check";

export interface TimelineEntry {
  readonly atSeconds: number;
  readonly source: TimelineSource;
  /** Short machine-readable tag: outage, route53-unhealthy, operation-started, decision, ... */
  readonly kind: string;
  readonly region?: string;
  readonly message: string;
}

/** Seconds on the drill clock, rounded to the millisecond so reports stay byte-stable. */
export function drillSeconds(ms: number): number {
  return Math.round(ms - DRILL_EPOCH_MS) / 1000;
}

/** The drill's timeline: one line per event and decision, in clock order. */
export class Recorder {
  readonly entries: TimelineEntry[] = [];

  constructor(private readonly clock: VirtualClock) {}

  log(source: TimelineSource, kind: string, message: string, region?: string, atMs?: number): void {
    const atSeconds = drillSeconds(atMs ?? this.clock.now());
    this.entries.push(
      region === undefined
        ? { atSeconds, source, kind, message }
        : { atSeconds, source, kind, region, message },
    );
  }

  /** Entries sorted by time; entries at the same instant keep the order they were logged in. */
  sorted(): TimelineEntry[] {
    return this.entries
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.atSeconds - b.e.atSeconds || a.i - b.i)
      .map((x) => x.e);
  }
}
