import type { ControlPlaneSpec } from "./scenario";

/** The region Route 53's control plane (ChangeResourceRecordSets, GetHealthCheckStatus) lives in. */
export const ROUTE53_CONTROL_PLANE_REGION = "us-east-1";

/**
 * Where the control plane's parts run, and which of them a fault has reached: watcher replicas,
 * the state store's replicas, the Pulumi backend and Route 53's control plane. Without a
 * `controlPlane` block nothing is placed, and every part stays up whatever fails, as it always has.
 */
export class ControlPlanePlacement {
  readonly watchers: readonly string[];
  private readonly down = new Set<string>();
  /** `from→to`: the watcher in `from` cannot reach `to`. */
  private readonly cuts = new Set<string>();

  constructor(readonly spec: ControlPlaneSpec | undefined) {
    this.watchers = spec?.watchers ?? [];
  }

  /** The scenario placed the control plane (several watchers, a store and a backend that can fail). */
  get placed(): boolean {
    return this.spec !== undefined;
  }

  /** Every region some control-plane part runs in. */
  regions(): string[] {
    const s = this.spec;
    if (s === undefined) return [];
    const store = s.stateStore;
    const storeRegions =
      store === undefined ? s.watchers : store.kind === "s3" ? [store.region] : store.regions;
    return [
      ...new Set([
        ...s.watchers,
        ...storeRegions,
        ...(s.pulumiBackendRegion === undefined ? [] : [s.pulumiBackendRegion]),
      ]),
    ];
  }

  outage(region: string): void {
    this.down.add(region);
  }

  recover(region: string): void {
    this.down.delete(region);
  }

  partition(from: string, to: string): void {
    this.cuts.add(`${from}→${to}`);
  }

  heal(from: string, to: string): void {
    this.cuts.delete(`${from}→${to}`);
  }

  regionUp(region: string): boolean {
    return !this.down.has(region);
  }

  /** The watcher replica in `region` runs (its region is up). */
  watcherUp(region: string): boolean {
    return this.regionUp(region);
  }

  /** The watcher in `from` can reach region `to` (no partition between them). */
  reaches(from: string, to: string): boolean {
    return !this.cuts.has(`${from}→${to}`);
  }

  /**
   * The state store answers: a replicated (DynamoDB) store while a majority of its replicas is
   * up, an S3 store while its region is. Default store: replicated over the watcher regions.
   */
  storeAvailable(): boolean {
    const s = this.spec;
    if (s === undefined) return true;
    const store = s.stateStore ?? { kind: "dynamodb" as const, regions: s.watchers };
    if (store.kind === "s3") return this.regionUp(store.region);
    const up = store.regions.filter((r) => this.regionUp(r)).length;
    return up * 2 > store.regions.length;
  }

  /** Why the state store does not answer now, or null while it does. */
  storeUnavailableReason(): string | null {
    if (this.storeAvailable()) return null;
    const store = this.spec?.stateStore;
    return store?.kind === "s3" ? `its region ${store.region} is out` : "a majority of its replicas is out";
  }

  /** Stack updates reach the Pulumi backend. */
  backendUp(): boolean {
    const region = this.spec?.pulumiBackendRegion;
    return region === undefined || this.regionUp(region);
  }

  /** Route 53's API answers: down with us-east-1 when the control plane is placed. */
  route53ControlPlaneUp(): boolean {
    return !this.placed || this.regionUp(ROUTE53_CONTROL_PLANE_REGION);
  }
}
