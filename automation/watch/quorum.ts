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
  /**
   * Set when Route 53 ARC routing controls steer clients: the records answer to the controls the
   * controller flips, not to Route 53's checkers, so nothing waits for the checkers' verdict.
   * Absent: health checks steer clients, and Route 53's vote always counts.
   */
  readonly arc?: ArcTiming;
}

export interface ArcTiming {
  /** When this replica's own probes of the region began failing (ms); null when they do not. */
  readonly failingSince: number | null;
  /** How long Route 53's checkers need to see a fault at the earliest (route53DetectionMs). */
  readonly route53DetectionMs: number;
}

/**
 * The time Route 53's checkers need before their verdict can reflect a fault: `failureThreshold`
 * failed checks one interval apart, the last waiting out the check's timeout. Before that, their
 * "healthy" says nothing about the fault.
 */
export function route53DetectionMs(check: {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}): number {
  return (check.failureThreshold * check.intervalSeconds + check.timeoutSeconds) * 1000;
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
  /**
   * Route 53's "healthy" was set aside: ARC steers clients, at least two fresh replicas and a
   * strict majority of them see the region down, and the checkers have not had time to see it.
   */
  readonly route53Early: boolean;
  readonly detail: string;
}

/**
 * The vote of fresh vantage points on one region: this replica, every other replica that
 * published within `freshMs`, and Route 53's checkers when its API answers. A strict majority
 * declares the region down, so one replica cut off from a region, or one dead replica's old
 * report, never does; with a single voter left (the others dead, Route 53's API down), its own
 * probes decide, as a lone watcher's would.
 *
 * With ARC routing controls, Route 53's "healthy" does not vote while its checkers cannot yet have
 * seen the fault (less than `route53DetectionMs` since this replica's probes began failing),
 * provided at least two fresh replicas, a strict majority of the fresh ones, this one included,
 * see the region down: independent vantage points in other regions then outvote a verdict that
 * is only late. One replica alone never gets that far, and once the checkers have had their time
 * a "healthy" from them counts again, so replicas cut off from a region that clients still reach
 * stop short of a majority.
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
  const replicasDown = (input.own.down ? 1 : 0) + peersDown;
  const replicas = 1 + peers.length;
  const route53Early =
    input.arc !== undefined &&
    input.route53 !== null &&
    !input.route53.down &&
    input.own.down &&
    input.arc.failingSince !== null &&
    input.now - input.arc.failingSince < input.arc.route53DetectionMs &&
    replicasDown >= 2 &&
    replicasDown * 2 > replicas;
  const route53Votes = input.route53 !== null && !route53Early;
  const voters = replicas + (route53Votes ? 1 : 0);
  const votesDown = replicasDown + (input.route53?.down === true ? 1 : 0);
  const route53 =
    input.route53 === null
      ? "Route 53 did not answer"
      : route53Early
        ? "Route 53 up, too early to have seen the fault: no vote"
        : `Route 53 ${input.route53.down ? "down" : "up"}`;
  const detail =
    `${votesDown} of ${voters} vantage points see ${input.region} down ` +
    `(this watcher ${input.own.down ? "down" : "up"}, ${peersDown} of ${peers.length} other replicas down, ${route53})`;
  const status = votesDown * 2 > voters ? "down" : input.own.down ? "one-vantage" : "up";
  return { status, votesDown, voters, peersUp, peersFlapping, route53Early, detail };
}
