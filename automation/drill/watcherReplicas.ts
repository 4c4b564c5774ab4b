import { nextRoundAt, nextSlotAt } from "../watch/tickSchedule";
import { FencedStateStore } from "../watch/fencedStateStore";
import { Leadership } from "../watch/leadership";
import { replicaTimings } from "../watch/replica";
import type { TickReport, Watcher, WatcherOptions } from "../watch/watcher";
import { createWatcher } from "../watch/watcher";
import type { InvariantChecker } from "./invariants";
import { sequence } from "./random";
import type { SimCloud } from "./simCloud";
import type { SimPorts } from "./simPorts";
import { SimStateStore } from "./simStateStore";
import { SimVantageBoard } from "./simVantageBoard";

/** One `regionctl watch` process, in one region. */
interface Replica {
  readonly region: string;
  readonly holder: string;
  /** Its current process: a region's recovery starts a new one, with a fresh memory. */
  life: { readonly watcher: Watcher; readonly stop: AbortController } | null;
  /** Its leadership, across its lives: a region's outage ends the term at once. */
  readonly leadership: Leadership;
  termStart: number;
}

/**
 * The watcher replicas of a scenario's `controlPlane.watchers`: the real watcher in each region,
 * probing from there (a partition cuts its probes), sharing its verdicts through the store and
 * acting only while it holds the leadership lease, through a state store fenced by that lease.
 *
 * Leadership: the lease lives for a third of a check interval and is renewed every third of that;
 * a standby takes it the moment it lapses and decides at once on what it observed last, inside
 * the few intervals detection takes. An outage of a replica's region kills it at once: its
 * operation stops where it is (the new leader resumes it from the store) and it holds nothing more.
 */
export class WatcherReplicas {
  private readonly replicas: Replica[];
  private readonly leases: SimStateStore;
  private readonly board: SimVantageBoard;
  private stopped = false;

  constructor(
    private readonly cloud: SimCloud,
    private readonly ports: SimPorts,
    private readonly checker: InvariantChecker,
    private readonly base: Omit<WatcherOptions, "ports" | "holder" | "config">,
    private readonly track: (p: Promise<void>, id: string) => void,
    private readonly onTick: (region: string, report: TickReport, leading: boolean) => void,
  ) {
    const unavailable = (): string | null => cloud.placement.storeUnavailableReason();
    this.leases = new SimStateStore(cloud.clock, () => {}, "drill://leader");
    this.leases.unavailable = unavailable;
    this.board = new SimVantageBoard(unavailable);
    const ttl = this.timings.leadershipTtlMs;
    this.replicas = cloud.placement.watchers.map((region) => ({
      region,
      holder: `drill-watcher@${region}`,
      life: null,
      leadership: new Leadership(this.leases, `drill-watcher@${region}`, cloud.clock, ttl),
      termStart: 0,
    }));
  }

  private get intervalMs(): number {
    return this.cloud.scenario.healthCheck.intervalSeconds * 1000;
  }

  private get timings(): ReturnType<typeof replicaTimings> {
    return replicaTimings(this.intervalMs, this.cloud.timeoutMs);
  }

  /** The leading replica's watcher, else any live one's: what a person's command consults. */
  get watcher(): Watcher | null {
    const live = this.replicas.filter((r) => r.life !== null);
    return (live.find((r) => r.leadership.term() !== null) ?? live[0])?.life?.watcher ?? null;
  }

  /** Some live replica runs an operation. */
  running(): boolean {
    return this.replicas.some((r) => r.life?.watcher.running != null);
  }

  async settled(): Promise<void> {
    for (const r of this.replicas) await r.life?.watcher.settled();
  }

  start(): void {
    for (const r of this.replicas) if (this.cloud.placement.watcherUp(r.region)) this.launch(r);
  }

  stop(): void {
    this.stopped = true;
  }

  /** The region's outage kills its replica; its recovery starts a new process. */
  regionDown(region: string): void {
    const r = this.replicas.find((x) => x.region === region);
    if (r?.life == null) return;
    r.life.stop.abort(new Error(`the watcher in ${region} died with its region`));
    r.life = null;
    r.leadership.assume(null);
    this.cloud.recorder.log("controller", "watcher-down", `the watcher replica in ${region} is down`, region);
  }

  regionUp(region: string): void {
    const r = this.replicas.find((x) => x.region === region);
    if (r === undefined || r.life !== null || this.stopped) return;
    this.launch(r);
  }

  private launch(r: Replica): void {
    const stop = new AbortController();
    const ports = this.ports;
    const leaderless = this.cloud.options.leaderless === true;
    if (leaderless) {
      r.leadership.assume({
        holder: r.holder,
        operation: "lead",
        expiresAt: Number.POSITIVE_INFINITY,
        etag: `"${r.region}"`,
      });
      r.termStart = this.cloud.clock.now();
      this.checker.leaderTerm(r.region, r.termStart);
    }
    const fenced = new FencedStateStore(
      ports.state,
      {
        leases: leaderless ? { readLease: async () => r.leadership.term() } : this.leases,
        term: () => r.leadership.term(),
        onAction: () => this.checker.leaderAction(r.region, r.termStart, "a state change"),
      },
      r.holder,
      this.cloud.clock,
    );
    const watcher = createWatcher({
      ...this.base,
      config: this.cloud.config,
      ports: { ...ports, state: fenced, health: ports.health.from(r.region) },
      holder: r.holder,
      random: sequence(this.cloud.seed + this.replicas.indexOf(r) + 1),
      signal: stop.signal,
      // The operation lease lapses within an interval of its holder's death, so the new leader
      // resumes the operation at once.
      leaseTtlMs: this.intervalMs,
      acting: () => r.leadership.leads(),
      vantage: {
        voter: r.region,
        board: this.board,
        freshMs: this.timings.freshMs,
        gatherMs: this.timings.gatherMs,
      },
    });
    const life = { watcher, stop };
    r.life = life;
    if (!leaderless) this.track(this.leadLoop(r, life), `leadership ${r.region}`);
    this.track(this.tickLoop(r, life), `watcher ${r.region}`);
  }

  /** The shared leadership loop; a new term acts at once on what the replica already knows. */
  private leadLoop(r: Replica, life: NonNullable<Replica["life"]>): Promise<void> {
    return r.leadership.run({
      signal: life.stop.signal,
      alive: () => !this.stopped && r.life === life,
      onTake: () => {
        r.termStart = this.cloud.clock.now();
        this.checker.leaderTerm(r.region, r.termStart);
        this.cloud.recorder.log("controller", "leader", `the watcher in ${r.region} leads`, r.region);
        // Act on what it already knows: the dead leader's pending failover does not wait a tick.
        this.track(
          life.watcher.decideAgain().then((report) => {
            if (report !== null && r.life === life)
              this.onTick(r.region, report, r.leadership.term() !== null);
          }),
          `takeover ${r.region}`,
        );
      },
    });
  }

  /** Ticks every check interval, as the lone watcher does; a failed tick is tried again at the next. */
  private async tickLoop(r: Replica, life: NonNullable<Replica["life"]>): Promise<void> {
    const clock = this.cloud.clock;
    let next = clock.now();
    while (!this.stopped && r.life === life) {
      try {
        const report = await life.watcher.tick();
        if (r.life === life) this.onTick(r.region, report, r.leadership.term() !== null);
      } catch (err) {
        if (life.stop.signal.aborted) return;
        this.cloud.recorder.log(
          "controller",
          "watcher-error",
          `the watcher in ${r.region}: ${err instanceof Error ? err.message : String(err)}`,
          r.region,
        );
      }
      next = (this.cloud.options.skipOverrunSlots === true ? nextSlotAt : nextRoundAt)(
        next,
        this.intervalMs,
        clock.now(),
      );
      try {
        await clock.sleep(next - clock.now(), life.stop.signal);
      } catch {
        return;
      }
    }
  }
}
