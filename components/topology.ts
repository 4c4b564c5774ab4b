import { type EnvironmentConfig, type Routing, regionPriority } from "./config";
import { type Color, type OperationalState, reconcileState } from "./operationalState";

/**
 * The one source of truth for what each region runs. The Pulumi components render this plan as
 * resources; the drill's simulated cloud applies it directly.
 */

export interface AppSlotPlan {
  readonly color: Color;
  readonly version: string | null;
  /** 0 keeps the Deployment object but runs no pods. */
  readonly replicas: number;
}

export interface DnsRecordPlan {
  /** Route 53 set identifier, unique within the record name. */
  readonly setIdentifier: string;
  readonly routing: Routing;
  /** `failover` routing: PRIMARY on the writer, SECONDARY elsewhere. */
  readonly failoverRole: "PRIMARY" | "SECONDARY" | null;
  /** `weighted` routing (0 takes the region out of rotation). */
  readonly weight: number | null;
  /** `latency` routing, and the secondary latency set behind a failover SECONDARY alias. */
  readonly latencyRegion: string | null;
  /** Whether the region receives client traffic at all. */
  readonly serving: boolean;
}

export interface RegionPlan {
  readonly region: string;
  readonly priority: number;
  readonly role: "writer" | "secondary";
  readonly endpoint: string;
  readonly serving: boolean;
  /** Left out of stack updates (impaired region). */
  readonly excluded: boolean;
  readonly app: {
    readonly slots: readonly [AppSlotPlan, AppSlotPlan];
    readonly activeColor: Color;
    /** The Service's selector: the active colour, or both colours while a canary splits by replicas. */
    readonly selectorColor: Color | null;
    readonly canaryWeight: number | null;
    /** The version most of the region's traffic sees. */
    readonly servingVersion: string;
  };
  readonly dns: DnsRecordPlan;
  readonly database: {
    readonly role: "primary" | "secondary";
    readonly clusterIdentifier: string;
    readonly instances: number;
    /**
     * The controller relaxed this member's managed-RPO guard (a writer left with no reachable
     * secondary); the parameter group renders the relaxed value until it is restored.
     */
    readonly rpoGuardRelaxed: boolean;
  };
  /** The sync CronJob; only secondary regions pull from the writer. */
  readonly syncJob: {
    readonly sourceRegion: string;
    readonly schedule: string;
    readonly batchSize: number;
  } | null;
}

/**
 * Where the apps and the secret send writes: the global cluster's writer endpoint, or, after a
 * detach-and-promote failover, the detached cluster's own endpoint. The global endpoint still names
 * the old global cluster's writer then, and writes sent there would make a second writer.
 */
export type WriterEndpointPlan =
  | { readonly kind: "global" }
  | {
      readonly kind: "detached";
      readonly region: string;
      readonly clusterIdentifier: string;
      readonly endpoint: string;
    };

export interface EnvironmentPlan {
  readonly environment: string;
  readonly writer: string;
  readonly writerEndpoint: WriterEndpointPlan;
  readonly routing: Routing;
  readonly globalClusterIdentifier: string;
  /** Sorted: writer first, then by priority, then by config order. */
  readonly regions: readonly RegionPlan[];
  /**
   * With failover routing and more than one secondary, the SECONDARY record is an alias to a
   * latency-routed set of the secondaries, so every healthy secondary shares the load.
   */
  readonly secondaryLatencySet: boolean;
}

/**
 * Weighted routing gives every serving region the same share; a drained region gets 0, so Route 53
 * stops sending it clients without its record being deleted. A canary splits inside the region by
 * replicas, so DNS weights stay equal during a promotion.
 */
export const DEFAULT_DNS_WEIGHT = 100;

export function planTopology(config: EnvironmentConfig, stored: OperationalState | null): EnvironmentPlan {
  const state = reconcileState(config, stored);
  const writer = state.writer;
  const order = new Map(config.regions.map((r, i) => [r.region, i]));
  const sorted = [...config.regions].sort(
    (a, b) =>
      Number(b.region === writer) - Number(a.region === writer) ||
      regionPriority(config, a.region, writer) - regionPriority(config, b.region, writer) ||
      (order.get(a.region) ?? 0) - (order.get(b.region) ?? 0),
  );
  const secondaries = sorted.filter((r) => r.region !== writer && !state.regions[r.region].drained);
  const routing = config.dns.routing;

  const regions = sorted.map((r): RegionPlan => {
    const rs = state.regions[r.region];
    const serving = !rs.drained;
    const canary = rs.canaryWeight !== null && rs.canaryWeight > 0 && rs.canaryWeight < 100;
    const slot = (color: Color): AppSlotPlan => {
      const s = rs.slots[color];
      return { color, version: s?.version ?? null, replicas: s?.replicas ?? 0 };
    };
    const role = r.region === writer ? "writer" : "secondary";
    return {
      region: r.region,
      priority: regionPriority(config, r.region, writer),
      role,
      endpoint: r.endpoint,
      serving,
      excluded: rs.excluded,
      app: {
        slots: [slot("blue"), slot("green")],
        activeColor: rs.activeColor,
        selectorColor: canary ? null : rs.activeColor,
        canaryWeight: canary ? rs.canaryWeight : null,
        servingVersion: rs.slots[rs.activeColor]?.version ?? rs.version,
      },
      dns: {
        setIdentifier: r.region,
        routing,
        failoverRole: routing === "failover" ? (role === "writer" ? "PRIMARY" : "SECONDARY") : null,
        weight: routing === "weighted" ? (serving ? DEFAULT_DNS_WEIGHT : 0) : null,
        latencyRegion:
          routing === "latency" || (routing === "failover" && secondaries.length > 1) ? r.region : null,
        serving,
      },
      database: {
        role: role === "writer" ? "primary" : "secondary",
        clusterIdentifier: `${config.environment}-${r.region}`,
        instances: config.database.instances,
        rpoGuardRelaxed: (state.rpoGuardRelaxed ?? []).includes(r.region),
      },
      syncJob:
        role === "writer"
          ? null
          : { sourceRegion: writer, schedule: config.sync.schedule, batchSize: config.sync.batchSize },
    };
  });

  const detached = state.detachedWriter ?? null;
  const writerEndpoint: WriterEndpointPlan =
    detached !== null && detached.region === writer
      ? {
          kind: "detached",
          region: detached.region,
          clusterIdentifier: detached.clusterIdentifier,
          endpoint: detached.endpoint,
        }
      : { kind: "global" };

  return {
    environment: config.environment,
    writer,
    writerEndpoint,
    routing,
    globalClusterIdentifier: `${config.environment}-global`,
    regions,
    secondaryLatencySet: routing === "failover" && secondaries.length > 1,
  };
}

/** The regions that receive traffic, in failover order: writer first, then by priority (seed semantics). */
export function servingRegions(plan: EnvironmentPlan): string[] {
  return plan.regions.filter((r) => r.serving).map((r) => r.region);
}
