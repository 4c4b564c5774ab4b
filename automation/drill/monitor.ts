import type { InvariantChecker } from "./invariants";
import { drillSeconds } from "./recorder";
import type { SimCloud } from "./simCloud";
import type { SimGlobalDatabase } from "./simDatabase";

/** One region at one instant, as the chart draws it. */
export interface RegionFrame {
  /** Clients are sent to it now (it is in Route 53's answer). */
  readonly serving: boolean;
  /** It answers, mostly without errors, within the timeout (the simulation's truth). */
  readonly healthy: boolean;
  /** Route 53's checkers see it healthy. */
  readonly route53: boolean;
  readonly version: string;
  readonly writer: boolean;
}

/** Whole seconds [from, to) on the drill clock. */
export interface Stretch {
  readonly from: number;
  to: number;
}

/** Shares (0..1) of simulated client requests that succeeded and of writes accepted. */
export interface Availability {
  readonly requests: number;
  readonly writes: number;
}

/** Grows the last stretch by second `s`, or opens a new one. */
function extend(list: Stretch[], s: number): void {
  const last = list[list.length - 1];
  if (last !== undefined && last.to === s) last.to = s + 1;
  else list.push({ from: s, to: s + 1 });
}

/** Running sums of request and write success over sampled seconds. */
class Usage {
  private seconds = 0;
  private requests = 0;
  private writes = 0;

  add(requests: number, writes: number): void {
    this.seconds++;
    this.requests += requests;
    this.writes += writes;
  }

  shares(): Availability {
    if (this.seconds === 0) return { requests: 1, writes: 1 };
    const share = (x: number): number => Math.round((x / this.seconds) * 1e6) / 1e6;
    return { requests: share(this.requests), writes: share(this.writes) };
  }
}

/** The world as one second's sample reads it (see `Monitor.worldView`). */
interface WorldView {
  readonly generation: number;
  /** Bit i: Route 53 sees region i healthy. */
  readonly route53Key: number;
  /** Per region, in the cloud's order. */
  readonly route53: readonly boolean[];
  readonly answer: string[];
  readonly answerKey: string;
  /** Clients get an answer, and every region in it is healthy. */
  readonly answerOk: boolean;
  /** Regions in the answer that are not healthy. */
  readonly answeredUnhealthy: readonly string[];
  readonly serving: readonly boolean[];
  readonly healthy: readonly boolean[];
  readonly healthyIn: ReadonlyMap<string, boolean>;
  /** Share of a region's requests that succeed. */
  readonly rate: ReadonlyMap<string, number>;
  readonly versions: readonly string[];
}

/** A stretch of time in which a region's frame did not change. */
export interface Segment extends RegionFrame {
  readonly fromSeconds: number;
  toSeconds: number;
}

/**
 * Samples the simulated world every second between the clock's events: what clients resolve to,
 * whether the writer accepts writes, each region's frame for the chart, and the per-second
 * invariants. "Recovered" is the RTO's end condition: every client resolves to a healthy serving
 * region and the writer accepts writes.
 */
export class Monitor {
  readonly segments = new Map<string, Segment[]>();
  /** Stretches (seconds, end exclusive) in which the service was not recovered. */
  readonly outages: Stretch[] = [];
  /** Per region, stretches in which some client still resolved to it while it was unhealthy. */
  readonly clientImpact = new Map<string, Stretch[]>();
  /** Stretches in which no single writer accepted writes. */
  readonly writerImpact: Stretch[] = [];
  private readonly usage = new Usage();
  /** The last TTL's answers, newest last: clients spread over them as their caches expire. */
  private readonly recentAnswers: string[][] = [];
  private lastBadAnswerMs: number | null = null;
  private readonly lastBadMs = new Map<string, number>();
  private lastAnswer = "";
  private lastWriterOk = true;
  private lastClientsOk = true;
  private nextSampleMs: number;

  constructor(
    private readonly cloud: SimCloud,
    private readonly database: SimGlobalDatabase,
    private readonly checker: InvariantChecker,
  ) {
    this.nextSampleMs = cloud.clock.now();
    for (const r of cloud.regions) {
      this.segments.set(r, []);
      this.clientImpact.set(r, []);
    }
  }

  /** Shares of client requests that succeeded and of writes accepted, over the seconds sampled. */
  availability(): Availability {
    return this.usage.shares();
  }

  /** Samples every whole second in [fromMs, toMs): the world is as the last event left it. */
  sampleUntil(toMs: number): void {
    // No event runs between these seconds, and the database reports its writers as of the clock's
    // instant, which does not move while they are sampled.
    let writers: string[] | null = null;
    while (this.nextSampleMs < toMs) {
      writers ??= this.database.writersNow();
      this.sample(this.nextSampleMs, writers);
      this.nextSampleMs += 1000;
    }
  }

  /**
   * What one second's sample reads of the world, kept while nothing moves: the world changes only at
   * the clock's events, and Route 53's verdicts at its checkers' probes, so most seconds between
   * two events read the same answers.
   */
  private view: WorldView | null = null;
  /** Seconds in a row clients got the same answer, and the request share computed on them. */
  private sameAnswerSeconds = 0;
  private lastShare: { readonly view: WorldView; readonly succeeded: number } | null = null;

  private worldView(ms: number): WorldView {
    const cloud = this.cloud;
    const route53Key = cloud.route53Verdicts(ms);
    const generation = cloud.generation();
    const last = this.view;
    if (
      last !== null &&
      !cloud.flapping() &&
      last.generation === generation &&
      last.route53Key === route53Key
    )
      return last;
    const route53 = cloud.regions.map((_, i) => Math.floor(route53Key / 2 ** i) % 2 === 1);
    const answer = cloud.dnsAnswer(ms);
    const healthy = cloud.regions.map((r) => cloud.actuallyHealthy(r, ms));
    const rate = new Map<string, number>();
    for (const r of cloud.regions) {
      const c = cloud.probeConditions(r, ms);
      rate.set(r, c.reachable && c.latencyMs + 300 <= cloud.timeoutMs ? 1 - c.errorRate : 0);
    }
    const healthyIn = new Map(cloud.regions.map((r, i) => [r, healthy[i]]));
    const answeredUnhealthy = answer.filter((r) => healthyIn.get(r) !== true);
    this.view = {
      generation,
      route53Key,
      route53,
      answer,
      answerKey: answer.join(","),
      answerOk: answer.length > 0 && answeredUnhealthy.length === 0,
      answeredUnhealthy,
      serving: cloud.regions.map((r) => answer.includes(r)),
      healthy,
      healthyIn,
      rate,
      versions: cloud.regions.map((r) => cloud.servedVersion(r, ms)),
    };
    return this.view;
  }

  /** Whether a client that resolved during the bad second `bad` has let go of it by `ms`. */
  private settled(bad: number | null | undefined, ms: number): boolean {
    return bad === null || bad === undefined || ms >= bad + 1000 + this.cloud.ttlMs;
  }

  /** What the previous second was sampled with, for `quietSecond`. */
  private previous: { view: WorldView; writer: string | null; soleWriter: string } | null = null;
  /** Until when some client may still hold a bad answer (see `settled`). */
  private unsettledUntil = Number.NEGATIVE_INFINITY;

  /**
   * A second that reads the world exactly as the one before, with every client settled on a
   * healthy answer and one writer: it only lengthens what the previous second began. Most seconds
   * of a long drill are such seconds.
   */
  private quietSecond(
    ms: number,
    view: WorldView,
    writers: readonly string[],
    writer: string | null,
  ): boolean {
    const prev = this.previous;
    if (
      prev === null ||
      prev.view !== view ||
      prev.writer !== writer ||
      writers.length !== 1 ||
      writers[0] !== prev.soleWriter ||
      !view.answerOk ||
      ms < this.unsettledUntil ||
      !this.lastClientsOk ||
      !this.lastWriterOk
    )
      return false;
    this.countRequests(view, true);
    const to = drillSeconds(ms) + 1;
    for (const region of this.cloud.regions) {
      const list = this.segments.get(region) as Segment[];
      list[list.length - 1].toSeconds = to;
    }
    this.checker.onSecond(ms, writers);
    return true;
  }

  private sample(ms: number, writers: readonly string[]): void {
    const cloud = this.cloud;
    const view = this.worldView(ms);
    const writer = this.database.writerRegion();
    if (this.quietSecond(ms, view, writers, writer)) return;
    this.previous = writers.length === 1 ? { view, writer, soleWriter: writers[0] } : null;
    const s = drillSeconds(ms);
    const answer = view.answer;
    const answerOk = view.answerOk;
    if (!answerOk) this.lastBadAnswerMs = ms;
    for (const r of view.answeredUnhealthy) this.lastBadMs.set(r, ms);
    if (!answerOk || view.answeredUnhealthy.length > 0)
      this.unsettledUntil = Math.max(this.unsettledUntil, ms + 1000 + cloud.ttlMs);
    // A client that resolved during the last bad second keeps that answer for a full TTL.
    const clientsOk = this.settled(this.lastBadAnswerMs, ms);
    const writerOk = writers.length === 1;
    const ok = clientsOk && writerOk;
    for (const r of cloud.regions) {
      if (!this.settled(this.lastBadMs.get(r), ms)) extend(this.clientImpact.get(r) as Stretch[], s);
    }
    if (!writerOk) extend(this.writerImpact, s);
    this.countRequests(view, writerOk);

    if (view.answerKey !== this.lastAnswer) {
      cloud.recorder.log(
        "cloud",
        "dns-answer",
        `Route 53 answers ${answer.join(", ") || "nothing"}${answerOk ? "" : " (not all healthy)"}`,
        undefined,
        ms,
      );
      this.lastAnswer = view.answerKey;
    }
    if (clientsOk !== this.lastClientsOk) {
      cloud.recorder.log(
        "cloud",
        clientsOk ? "clients-recovered" : "clients-impacted",
        clientsOk
          ? "every client resolves to a healthy serving region"
          : "some clients resolve to an unhealthy region",
        undefined,
        ms,
      );
      this.lastClientsOk = clientsOk;
    }
    if (writerOk !== this.lastWriterOk) {
      cloud.recorder.log(
        "cloud",
        writerOk ? "writes-accepted" : "writes-refused",
        writerOk ? `the writer (${writers.join(", ")}) accepts writes` : "no writer accepts writes",
        undefined,
        ms,
      );
      this.lastWriterOk = writerOk;
    }
    if (!ok) extend(this.outages, s);

    cloud.regions.forEach((region, i) => {
      const serving = view.serving[i];
      const healthy = view.healthy[i];
      const route53 = view.route53[i];
      const version = view.versions[i];
      const isWriter = writer === region || writers.includes(region);
      const list = this.segments.get(region) as Segment[];
      const tail = list[list.length - 1];
      if (
        tail !== undefined &&
        tail.serving === serving &&
        tail.healthy === healthy &&
        tail.route53 === route53 &&
        tail.version === version &&
        tail.writer === isWriter
      ) {
        tail.toSeconds = s + 1;
        return;
      }
      if (tail !== undefined && tail.route53 !== route53) {
        cloud.recorder.log(
          "cloud",
          route53 ? "route53-healthy" : "route53-unhealthy",
          cloud.config.dns.control === "arc"
            ? `Route 53 takes ${region}'s record as ${route53 ? "healthy" : "unhealthy"} (its routing control is ${route53 ? "on" : "off"})`
            : `Route 53 checkers see ${region} ${route53 ? "healthy" : "unhealthy"}`,
          region,
          ms,
        );
      }
      list.push({ serving, healthy, route53, version, writer: isWriter, fromSeconds: s, toSeconds: s + 1 });
    });
    this.checker.onSecond(ms, writers);
  }

  /**
   * One second of client traffic: clients re-resolve at random moments, so they spread evenly over
   * the answers of the last TTL; a request succeeds when its region answers (without an error, within
   * the timeout), and a write also needs exactly one writer.
   */
  private countRequests(view: WorldView, writerOk: boolean): void {
    const keep = Math.max(1, Math.round(this.cloud.ttlMs / 1000));
    this.sameAnswerSeconds =
      this.lastShare?.view.answerKey === view.answerKey ? this.sameAnswerSeconds + 1 : 1;
    this.recentAnswers.push(view.answer);
    while (this.recentAnswers.length > keep) this.recentAnswers.shift();
    // A full TTL of one answer under the same conditions gives the same share as the second before.
    const steady = this.sameAnswerSeconds > keep && this.lastShare?.view === view;
    let succeeded: number;
    if (steady && this.lastShare !== null) {
      succeeded = this.lastShare.succeeded;
    } else {
      succeeded = 0;
      for (const a of this.recentAnswers) {
        let share = 0;
        for (const r of a) share += view.rate.get(r) ?? 0;
        if (a.length > 0) succeeded += share / a.length / this.recentAnswers.length;
      }
    }
    if (this.lastShare?.view !== view || this.lastShare.succeeded !== succeeded)
      this.lastShare = { view, succeeded };
    this.usage.add(succeeded, writerOk ? succeeded : 0);
  }

  /** True when the region answered well and Route 53 saw it healthy in every second of [fromS, toS). */
  regionSteady(region: string, fromS: number, toS: number): boolean {
    return !(this.segments.get(region) ?? []).some(
      (seg) => (!seg.healthy || !seg.route53) && seg.fromSeconds < toS && seg.toSeconds > fromS,
    );
  }

  /** True when exactly one writer took writes in every second of [fromS, toS). */
  writerSteady(fromS: number, toS: number): boolean {
    return !this.writerImpact.some((o) => o.from < toS && o.to > fromS);
  }

  /** True when the service was recovered in every second of [fromS, toS). */
  recoveredThroughout(fromS: number, toS: number): boolean {
    return !this.outages.some((o) => o.from < toS && o.to > fromS);
  }

  /** The end of the last unrecovered stretch that overlaps [fromS, toS), or null if none does. */
  lastOutageEnd(fromS: number, toS: number): number | null {
    let end: number | null = null;
    for (const o of this.outages) if (o.from < toS && o.to > fromS) end = Math.min(o.to, toS);
    return end;
  }
}
