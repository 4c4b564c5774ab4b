/**
 * One watcher replica's own verdict on one region, as it publishes it for the others: whether its
 * direct probes have failed the failure threshold in a row, and when it looked.
 */
export interface VantageReport {
  /** The replica that looked (its region). */
  readonly voter: string;
  readonly region: string;
  /** When the replica observed (ms). */
  readonly at: number;
  readonly down: boolean;
  /** The replica holds the region out as flapping (absent: it does not). */
  readonly flapping?: boolean;
}

export interface QuorumInput {
  readonly region: string;
  /** This replica's own vote. */
  readonly own: { readonly voter: string; readonly down: boolean };
  /** What every replica last published; this replica's own entries and stale ones do not vote. */
  readonly reports: readonly VantageReport[];
  /** Route 53's checkers: a vote when its API answered, null when it did not. */
  readonly route53: { readonly down: boolean } | null;
  readonly now: number;
  /** A report older than this does not vote: its replica may be dead or cut off. */
  readonly freshMs: number;
}

export interface QuorumVerdict {
  /**
   * down: more than half of the voters see the region down; one-vantage: this replica does, but
   * the others outvote it (a partition between it and the region); up: otherwise.
   */
  readonly status: "down" | "up" | "one-vantage";
  readonly votesDown: number;
  readonly voters: number;
  /** Fresh replicas other than this one that see the region up. */
  readonly peersUp: number;
  /** Fresh replicas other than this one that hold the region out as flapping. */
  readonly peersFlapping: number;
  readonly detail: string;
}

/**
 * The vote of fresh vantage points on one region: this replica, every other replica that
 * published within `freshMs`, and Route 53's checkers when its API answers. A strict majority
 * declares the region down, so one replica cut off from a region, or one dead replica's old
 * report, never does; with a single voter left (the others dead, Route 53's API down), its own
 * probes decide, as a lone watcher's would.
 */
export function quorumVerdict(input: QuorumInput): QuorumVerdict {
  const latest = new Map<string, VantageReport>();
  for (const r of input.reports) {
    if (r.region !== input.region || r.voter === input.own.voter) continue;
    if (input.now - r.at > input.freshMs) continue;
    const seen = latest.get(r.voter);
    if (seen === undefined || seen.at < r.at) latest.set(r.voter, r);
  }
  const peers = [...latest.values()];
  const peersDown = peers.filter((p) => p.down).length;
  const peersUp = peers.length - peersDown;
  const peersFlapping = peers.filter((p) => p.flapping === true).length;
  const voters = 1 + peers.length + (input.route53 === null ? 0 : 1);
  const votesDown = (input.own.down ? 1 : 0) + peersDown + (input.route53?.down === true ? 1 : 0);
  const route53 =
    input.route53 === null ? "Route 53 did not answer" : `Route 53 ${input.route53.down ? "down" : "up"}`;
  const detail =
    `${votesDown} of ${voters} vantage points see ${input.region} down ` +
    `(this watcher ${input.own.down ? "down" : "up"}, ${peersDown} of ${peers.length} other replicas down, ${route53})`;
  const status = votesDown * 2 > voters ? "down" : input.own.down ? "one-vantage" : "up";
  return { status, votesDown, voters, peersUp, peersFlapping, detail };
}
