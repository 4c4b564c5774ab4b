import type { GlobalClusterMember, GlobalClusterView, GlobalDatabase, MemberClusterView } from "../ports";
import type { Recorder } from "./recorder";
import type { SimCloud } from "./simCloud";

/**
 * `standalone`: detached from the global cluster and promoted (RemoveFromGlobalCluster); only the
 * latest detached one is the writer, an earlier one (a target that died mid-promotion) is left
 * behind. `orphan`: an old writer left behind when the global cluster re-formed around a standalone
 * writer; it still takes whatever writes reach it, until it is fenced or a stack update rebuilds it.
 */
type Role = "writer" | "secondary" | "standalone" | "orphan";

interface Member {
  role: Role;
  /** Out of the global cluster after a replication break, until a stack update rebuilds it. */
  detached: boolean;
  /** Copying data after a rebuild or a rejoin, until this instant. */
  resyncUntil: number | null;
  /** `rds.global_db_rpo` in the cluster's parameter group, seconds; null when unset. */
  rpoGuardSeconds: number | null;
  /** Taken out of service (stopped) by the controller: it accepts no writes until rebuilt. */
  fenced: boolean;
}

interface Transition {
  readonly kind: "failover" | "switchover";
  readonly from: string;
  readonly to: string;
  readonly until: number;
}

/** Writes lost by one unplanned promotion: the target's lag when the old writer was lost. */
export interface LostWrites {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly lagSeconds: number;
}

export interface DatabaseTimings {
  readonly lagSeconds: number;
  readonly failoverSeconds: number;
  readonly switchoverSeconds: number;
  readonly detachSeconds: number;
  readonly rebuildSeconds: number;
  /** FailoverGlobalCluster is available (default); without it a failover must detach and promote. */
  readonly managedFailover?: boolean;
  /** The managed-RPO guard every member's parameter group starts with; absent: none. */
  readonly rpoSeconds?: number;
}

/** An RDS API call itself takes a moment. */
const API_CALL_MS = 300;

/** The API's refusal, worded as RDS words it, so the controller's handling meets realistic text. */
class RdsError extends Error {
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

/**
 * An Aurora global database: one writer, secondaries with replication lag, managed failover and
 * switchover that take time, detach (RemoveFromGlobalCluster), and members that drop out on a
 * replication break. Every call goes through the named region's endpoint, which fails in an outage
 * of that region or on an injected `rds` API error.
 *
 * Detach-and-promote splits the database as it does on Aurora: the detached cluster takes writes on
 * its own, and the old writer stays the writer of the old global cluster, unreachable in its outage
 * and writable again when its region comes back. Nothing in the database fences it; only the
 * applications do, by no longer sending it writes (AWS's recovery procedure: stop writing to the old
 * primary). So an old writer counts as a writer while an application that gets requests still sends
 * it writes. The first rebuild re-forms the global cluster around the detached writer; every other
 * old member, the old writer included, must then be rebuilt under it.
 */
export class SimGlobalDatabase implements GlobalDatabase {
  private readonly members = new Map<string, Member>();
  private writer: string;
  private transition: Transition | null = null;
  /** The latest detached standalone cluster's region: the writer while the database is split. */
  private detachedWriter: string | null = null;
  /** The region whose cluster a RemoveFromGlobalCluster in progress is detaching. */
  private detaching: string | null = null;
  /** Lag of each secondary at the moment the writer's region was lost, for RPO. */
  private lagAtWriterLoss: Record<string, number> | null = null;
  readonly lost: LostWrites[] = [];

  constructor(
    private readonly cloud: SimCloud,
    private readonly recorder: Recorder,
    private readonly timings: DatabaseTimings,
    writer: string,
  ) {
    this.writer = writer;
    for (const region of cloud.regions) {
      this.members.set(region, {
        role: region === writer ? "writer" : "secondary",
        detached: false,
        resyncUntil: null,
        rpoGuardSeconds: timings.rpoSeconds ?? null,
        fenced: false,
      });
    }
  }

  /** The replication lag of a connected secondary: around the configured lag, stable for the seed. */
  lagOf(region: string): number {
    const base = this.timings.lagSeconds;
    return Math.round(base * (0.6 + 0.8 * this.cloud.draw("lag", region)) * 1000) / 1000;
  }

  // ------------------------------------------------------------------------------------------
  // Faults and recoveries the runner applies

  /** The writer's region just went down: what each secondary had not received is now at risk. */
  /** The region a failover, switchover or detach in progress is promoting, if any. */
  promotingTo(): string | null {
    return this.transition?.to ?? this.detaching;
  }

  writerRegionLost(region: string): void {
    if (region !== this.writer || this.lagAtWriterLoss !== null) return;
    const lags: Record<string, number> = {};
    for (const r of this.cloud.regions) if (r !== region) lags[r] = this.lagOf(r);
    this.lagAtWriterLoss = lags;
  }

  /** A region came back: a demoted old writer rejoins as a secondary and resyncs (Aurora does this itself). */
  regionRecovered(region: string): void {
    const m = this.member(region);
    if (region === this.writer) this.lagAtWriterLoss = null;
    if (m.fenced) {
      this.recorder.log(
        "cloud",
        "db-fenced-back",
        `${region}'s cluster is back, stopped: it takes no writes`,
        region,
      );
    } else if (m.role === "standalone" && region !== this.standalone()) {
      this.recorder.log(
        "cloud",
        "db-old-writer-back",
        `${region}'s cluster is back as a standalone writer an earlier detach promoted, split from the writer ${this.standalone() ?? "of the global cluster"}; it takes writes from any app still configured with it until it is fenced`,
        region,
      );
    } else if (m.role === "orphan" || (m.role === "writer" && this.standalone() !== null)) {
      this.recorder.log(
        "cloud",
        "db-old-writer-back",
        `${region}'s cluster is back as the writer of the old global cluster, split from the detached writer; it takes writes from any app still configured with it until it is fenced`,
        region,
      );
    } else if (m.role === "writer" && region !== this.writer) {
      m.role = "secondary";
      m.resyncUntil = this.cloud.clock.now() + this.timings.rebuildSeconds * 1000;
      this.recorder.log(
        "cloud",
        "db-rejoin",
        `${region}'s cluster rejoined the global database as a secondary and resyncs`,
        region,
      );
    }
  }

  replicationBreak(region: string): void {
    const m = this.member(region);
    if (m.role !== "secondary") {
      this.recorder.log(
        "cloud",
        "db-break-ignored",
        `${region} is not a secondary; replication break has no effect`,
        region,
      );
      return;
    }
    m.detached = true;
    this.recorder.log(
      "cloud",
      "db-replication-break",
      `${region}'s cluster dropped out of the global database`,
      region,
    );
  }

  /** The detached standalone writer, after a detach-and-promote failover: the latest one detached. */
  private standalone(): string | null {
    const r = this.detachedWriter;
    return r !== null && this.member(r).role === "standalone" ? r : null;
  }

  /**
   * A stack update makes the region's cluster a secondary again: a member that dropped out is
   * rebuilt. After a detach-and-promote the first rebuild re-forms the global cluster around the
   * standalone writer: the old writer is left an orphan and every other old member drops out, each
   * to be rebuilt under the new writer in turn. Returns the seconds the rebuild takes (0: nothing to do).
   */
  rebuild(region: string): number {
    const m = this.member(region);
    if (!this.needsRebuild(region)) return 0;
    const alone = this.standalone();
    if (alone !== null) {
      const old = this.writer;
      this.writer = alone;
      this.member(alone).role = "writer";
      for (const [r, other] of this.members) {
        if (r === alone || r === region) continue;
        if (r === old || other.role === "standalone") other.role = "orphan";
        other.detached = true;
      }
      this.detachedWriter = null;
      this.recorder.log(
        "cloud",
        "db-reformed",
        `the global database re-formed around ${alone}, now its writer; ${old} and the other old members must be rebuilt under it`,
        alone,
      );
    }
    m.detached = false;
    m.role = "secondary";
    m.resyncUntil = null;
    m.fenced = false;
    this.recorder.log(
      "cloud",
      "db-rebuilt",
      `${region}'s cluster was rebuilt as a secondary of ${this.writer}`,
      region,
    );
    return this.timings.rebuildSeconds;
  }

  rebuildSecondsFor(): number {
    return this.timings.rebuildSeconds;
  }

  needsRebuild(region: string): boolean {
    const m = this.member(region);
    const alone = this.standalone();
    return m.detached || m.role === "orphan" || (alone !== null && region !== alone);
  }

  // ------------------------------------------------------------------------------------------
  // The managed-RPO guard

  /** Since when the writer has had no reachable secondary, or null while it has one. */
  private noSecondarySince: number | null = null;
  private commitsWereBlocked = false;

  /**
   * Aurora blocks commits on the writer while every secondary lags past its guard; a secondary in
   * a region that is down lags without bound, from the moment the last one became unreachable.
   */
  private commitsBlocked(writer: string, now: number): boolean {
    // Asked on every sampled second: a plain loop over the members, no copy of them.
    let reachable = false;
    for (const [r, m] of this.members) {
      if (r !== writer && m.role === "secondary" && !m.detached && this.cloud.controlPlaneUp(r, now)) {
        reachable = true;
        break;
      }
    }
    if (reachable) this.noSecondarySince = null;
    else this.noSecondarySince ??= now;
    const guard = this.member(writer).rpoGuardSeconds;
    const blocked =
      guard !== null && this.noSecondarySince !== null && now - this.noSecondarySince > guard * 1000;
    if (blocked !== this.commitsWereBlocked) {
      this.commitsWereBlocked = blocked;
      this.recorder.log(
        "cloud",
        blocked ? "db-commits-blocked" : "db-commits-resumed",
        blocked
          ? `${writer}'s commits block: no secondary is reachable and its managed-RPO guard is ${guard} s`
          : `${writer}'s commits go through again`,
        writer,
      );
    }
    return blocked;
  }

  /** The member cluster as DescribeDBClusters (and its parameter group) shows it. */
  async describeMember(region: string): Promise<MemberClusterView> {
    await this.call(region, "DescribeDBClusters");
    return {
      status: "available",
      passwordPending: false,
      rpoGuardSeconds: this.member(region).rpoGuardSeconds,
    };
  }

  async setMasterPassword(region: string): Promise<void> {
    await this.call(region, "ModifyDBCluster");
  }

  async setRpoGuard(region: string, seconds: number): Promise<void> {
    await this.call(region, "ModifyDBClusterParameterGroup");
    this.member(region).rpoGuardSeconds = seconds;
    this.recorder.log("cloud", "db-rpo-guard", `${region}'s managed-RPO guard set to ${seconds} s`, region);
  }

  // ------------------------------------------------------------------------------------------
  // What the checker reads

  /**
   * Regions whose cluster accepts writes now: the global writer, or the detached standalone writer
   * while the database is split. A writer a detach left behind (the old global cluster's, an
   * earlier detached target, an orphan) stays writable when its region is back: it counts while
   * some application still sends it writes, unless the controller fenced (stopped) it. The
   * controller keeps writes away by draining its region and pointing every app at the new writer,
   * and fences it once its region is back.
   */
  writersNow(): string[] {
    const now = this.cloud.clock.now();
    const current = this.standalone();
    const out: string[] = [];
    for (const [region, m] of this.members) {
      if (!this.cloud.controlPlaneUp(region, now) || m.fenced) continue;
      const globalWriter = m.role === "writer" && region === this.writer && this.transition === null;
      const writable = globalWriter || m.role === "orphan" || m.role === "standalone";
      if (region === current) out.push(region);
      // The global writer stops committing once the RPO guard has gone without a secondary too long.
      else if (current === null && globalWriter) {
        if (!this.commitsBlocked(region, now)) out.push(region);
      } else if (writable && this.cloud.receivesWrites(region, now)) out.push(region);
    }
    return out;
  }

  /**
   * Some region is up and its cluster could take the writes: the writer's, or a secondary of the
   * global cluster with its data (not copying it after a rebuild or rejoin, not out of the global
   * cluster after a replication break, not stopped). Promoting a cluster without its data would lose
   * what it lacks, which no controller may do on its own.
   */
  anyClusterCouldWrite(ms: number): boolean {
    return this.cloud.regions.some((region) => {
      if (!this.cloud.upAt(region, ms)) return false;
      const m = this.member(region);
      if (m.fenced) return false;
      if (m.role === "writer" || m.role === "standalone") return true;
      return m.role === "secondary" && !m.detached && (m.resyncUntil === null || ms >= m.resyncUntil);
    });
  }

  /** The global writer region, or null mid-transition. */
  writerRegion(): string | null {
    return this.transition === null ? this.writer : null;
  }

  /** The writer accepts writes: one writer, in a region that is up. */
  acceptsWrites(): boolean {
    return this.writersNow().length === 1;
  }

  // ------------------------------------------------------------------------------------------
  // The port

  private member(region: string): Member {
    const m = this.members.get(region);
    if (m === undefined) throw new RdsError("GlobalClusterNotFoundFault", `no member in ${region}`);
    return m;
  }

  private async call(viaRegion: string, what: string): Promise<void> {
    await this.cloud.clock.sleep(API_CALL_MS);
    if (!this.members.has(viaRegion))
      throw new RdsError("InvalidParameterValue", `unknown region ${viaRegion}`);
    this.cloud.apiCall("rds", viaRegion, what);
    if (!this.cloud.controlPlaneUp(viaRegion)) {
      throw new RdsError("EndpointUnreachable", `rds.${viaRegion}.amazonaws.com did not answer ${what}`);
    }
    if (this.cloud.takeApiError("rds", viaRegion)) {
      throw new RdsError("InternalFailure", `rds.${viaRegion} failed ${what} (injected)`);
    }
  }

  async describe(viaRegion: string): Promise<GlobalClusterView> {
    await this.call(viaRegion, "DescribeGlobalClusters");
    const now = this.cloud.clock.now();
    const members: GlobalClusterMember[] = [];
    for (const region of this.cloud.regions) {
      const m = this.member(region);
      if (m.detached || m.role === "standalone" || m.role === "orphan") continue;
      const up = this.cloud.controlPlaneUp(region, now);
      const resyncing = m.resyncUntil !== null && now < m.resyncUntil;
      const isWriter = m.role === "writer" && region === this.writer && this.transition === null;
      members.push({
        region,
        clusterArn: `arn:aws:rds:${region}:000000000000:cluster:drill-${region}`,
        isWriter,
        status: !up
          ? "unavailable"
          : m.role === "writer"
            ? "available"
            : resyncing
              ? "pending-resync"
              : "connected",
        lagSeconds: m.role === "secondary" && up && !resyncing ? this.lagOf(region) : null,
      });
    }
    const t = this.transition;
    // As the RDS adapter reports it: through an available standalone cluster (DescribeDBClusters
    // of the via region's own cluster), that cluster is the writer; a stopped one is not.
    const via = this.member(viaRegion);
    const detached = via.role === "standalone" && !via.fenced;
    return {
      id: "drill-global",
      writer: detached ? viaRegion : t === null ? this.writer : null,
      status: t === null ? "available" : t.kind === "failover" ? "failing-over" : "switching-over",
      members,
      ...(detached
        ? {
            detachedWriter: viaRegion,
            detachedCluster: {
              identifier: `drill-${viaRegion}`,
              endpoint: `drill-${viaRegion}.cluster-sim.${viaRegion}.rds.amazonaws.com`,
            },
          }
        : {}),
    };
  }

  async failover(toRegion: string, viaRegion: string): Promise<void> {
    await this.call(viaRegion, "FailoverGlobalCluster");
    if (this.timings.managedFailover === false) {
      throw new RdsError(
        "InvalidGlobalClusterStateFault",
        "global database failover is not available for this global cluster's engine version",
      );
    }
    this.startTransition("failover", toRegion, this.timings.failoverSeconds);
  }

  async switchover(toRegion: string, viaRegion: string): Promise<void> {
    await this.call(viaRegion, "SwitchoverGlobalCluster");
    const now = this.cloud.clock.now();
    for (const region of this.cloud.regions) {
      const m = this.member(region);
      if (!m.detached && !this.cloud.controlPlaneUp(region, now)) {
        throw new RdsError(
          "InvalidGlobalClusterStateFault",
          `member in ${region} is unavailable; switchover needs every member`,
        );
      }
    }
    this.startTransition("switchover", toRegion, this.timings.switchoverSeconds);
  }

  async removeFromGlobal(region: string, viaRegion: string): Promise<void> {
    await this.call(viaRegion, "RemoveFromGlobalCluster");
    const m = this.member(region);
    if (m.role !== "secondary" || m.detached) {
      throw new RdsError("InvalidDBClusterStateFault", `${region} is not a secondary member`);
    }
    this.detaching = region;
    try {
      await this.cloud.clock.sleep(this.timings.detachSeconds * 1000);
    } finally {
      this.detaching = null;
    }
    m.role = "standalone";
    this.detachedWriter = region;
    this.recordLoss(this.writer, region);
    this.recorder.log(
      "cloud",
      "db-detached",
      `${region}'s cluster left the global database and accepts writes on its own`,
      region,
    );
  }

  /** Stops the region's cluster (StopDBCluster, out of the global cluster first if a member). */
  async fenceCluster(region: string, viaRegion: string): Promise<void> {
    await this.call(viaRegion, "StopDBCluster");
    const m = this.member(region);
    if (m.fenced) return;
    if (region === this.standalone() || (this.standalone() === null && region === this.writer)) {
      throw new RdsError(
        "InvalidDBClusterStateFault",
        `${region}'s cluster is the writer; it is not stopped`,
      );
    }
    m.fenced = true;
    this.recorder.log("cloud", "db-fenced", `${region}'s cluster was stopped: it takes no writes`, region);
  }

  private startTransition(kind: Transition["kind"], to: string, seconds: number): void {
    if (this.transition !== null) {
      throw new RdsError(
        "InvalidGlobalClusterStateFault",
        `a ${this.transition.kind} to ${this.transition.to} is in progress`,
      );
    }
    const target = this.member(to);
    if (target.role !== "secondary" || target.detached) {
      throw new RdsError("InvalidParameterValue", `${to} is not a secondary member of the global cluster`);
    }
    if (!this.cloud.controlPlaneUp(to)) {
      throw new RdsError("InvalidGlobalClusterStateFault", `member in ${to} is unavailable`);
    }
    const from = this.writer;
    const now = this.cloud.clock.now();
    this.transition = { kind, from, to, until: now + seconds * 1000 };
    this.recorder.log(
      "cloud",
      `db-${kind}-started`,
      `${kind} of the global database from ${from} to ${to} started (${seconds} s)`,
      to,
    );
    this.cloud.clock.schedule(now + seconds * 1000, () => this.finishTransition());
  }

  private finishTransition(): void {
    const t = this.transition;
    if (t === null) return;
    this.transition = null;
    const old = this.member(t.from);
    const target = this.member(t.to);
    if (t.kind === "failover") this.recordLoss(t.from, t.to);
    target.role = "writer";
    target.resyncUntil = null;
    this.writer = t.to;
    this.lagAtWriterLoss = null;
    // A reachable old writer is demoted at once; an unreachable one rejoins when its region is back.
    if (this.cloud.controlPlaneUp(t.from)) {
      old.role = "secondary";
      if (t.kind === "failover")
        old.resyncUntil = this.cloud.clock.now() + this.timings.rebuildSeconds * 1000;
    }
    this.recorder.log("cloud", `db-${t.kind}-done`, `${t.to} is the writer of the global database`, t.to);
  }

  private recordLoss(from: string, to: string): void {
    const lag = this.lagAtWriterLoss?.[to] ?? (this.cloud.controlPlaneUp(from) ? this.lagOf(to) : 0);
    this.lost.push({ atMs: this.cloud.clock.now(), from, to, lagSeconds: lag });
  }
}
