import { planTopology } from "../../components/topology";
import {
  type ChangeSummary,
  type StackEngine,
  type StackHistoryEntry,
  StackLockedError,
  type StackSelection,
  StackUpdateError,
  type UpdateOptions,
  type UpdateResult,
} from "../ports";
import type { SimCloud } from "./simCloud";
import type { SimGlobalDatabase } from "./simDatabase";
import type { SimStateStore } from "./simStateStore";

export interface StackTimings {
  readonly stackUpdateSeconds: number;
  readonly stackNoopSeconds: number;
}

/** What the checker is told about each update before it applies. */
export interface StackUpdateInfo {
  readonly regions: readonly string[];
  readonly atMs: number;
}

const STACK = "drill";

/**
 * The environment's stack. An update does what the Pulumi program does: read the operational state
 * from the store, plan the topology with the one topology function, and apply it. As with the real
 * engine's region selection, a region is its RegionStack subtree (app slots and selector, a rebuilt
 * database member); the Route 53 records live in the global FailoverRouting component, so they
 * change only in an update without targets, and excluding a region leaves them in. An update takes
 * simulated time, fails for a selected region that is down or has an injected failure (the others
 * still apply, as Pulumi finishes independent resources), and refuses to run beside another one.
 * A database member that changed outside Pulumi is rebuilt only by an update that refreshes first.
 */
/** How long an update waits on a backend that does not answer before it fails. */
const BACKEND_TIMEOUT_MS = 5000;

export class SimStackEngine implements StackEngine {
  private running = false;
  private readonly log: StackHistoryEntry[] = [];

  constructor(
    private readonly cloud: SimCloud,
    private readonly store: SimStateStore,
    private readonly database: SimGlobalDatabase,
    private readonly timings: StackTimings,
    private readonly onUpdate: (info: StackUpdateInfo) => void = () => {},
  ) {}

  /** The regions an update touches: the targets (default all) less the excludes. */
  selected(options: UpdateOptions = {}): string[] {
    const pick = (sel: StackSelection | undefined): string[] | null =>
      sel?.regions === undefined ? null : [...sel.regions];
    const targets = pick(options.targets) ?? [...this.cloud.regions];
    const excludes = new Set(pick(options.excludes) ?? []);
    return this.cloud.regions.filter((r) => targets.includes(r) && !excludes.has(r));
  }

  private plan() {
    return planTopology(this.cloud.config, this.store.peek());
  }

  async preview(options: UpdateOptions = {}): Promise<ChangeSummary> {
    await this.cloud.clock.sleep(2000, options.signal);
    const diff = this.cloud.diff(this.plan(), this.selected(options), options.targets === undefined);
    return {
      changes: { update: diff.length, same: this.cloud.regions.length * 2 - diff.length },
      steps: diff.map((d) => ({
        op: "update",
        urn: `${d.region}-${d.part}`,
        type: d.part === "app" ? "kubernetes:apps/v1:Deployment" : "aws:route53/record:Record",
      })),
    };
  }

  async up(options: UpdateOptions = {}): Promise<UpdateResult> {
    if (this.running) throw new StackLockedError(STACK, "another update is in progress");
    this.running = true;
    const start = this.cloud.clock.now();
    try {
      const regions = this.selected(options);
      this.onUpdate({ regions, atMs: start });
      const plan = this.plan();
      const dns = options.targets === undefined;
      const diff = this.cloud.diff(plan, regions, dns);
      const failures: string[] = [];
      const placement = this.cloud.placement;
      if (!placement.backendUp()) {
        // The update cannot even read the stack's checkpoint: nothing is applied anywhere.
        await this.cloud.clock.sleep(BACKEND_TIMEOUT_MS, options.signal);
        this.record("failed", options.message ?? "", start);
        throw new StackUpdateError(
          STACK,
          `the Pulumi backend in ${placement.spec?.pulumiBackendRegion ?? "its region"} did not answer`,
        );
      }
      let seconds = diff.length > 0 ? this.timings.stackUpdateSeconds : this.timings.stackNoopSeconds;
      const rebuilds: string[] = [];
      for (const region of regions) {
        this.cloud.apiCall("kubernetes", region, "stack update");
        if (!this.cloud.controlPlaneUp(region)) {
          failures.push(`${region}: the Kubernetes and AWS APIs in ${region} did not answer`);
        } else if (this.cloud.takeApiError("kubernetes", region)) {
          failures.push(`${region}: the Kubernetes API returned an error (injected)`);
        } else if (this.cloud.takeStackFailure(region)) {
          failures.push(`${region}: resource update failed (injected)`);
        } else if (options.refresh === true && this.database.needsRebuild(region)) {
          // As `pulumi up --refresh`: only a refreshed update sees that the cluster changed
          // outside Pulumi (dropped out of, or split from, the global database) and rebuilds it.
          rebuilds.push(region);
        }
      }
      if (diff.some((d) => d.part === "dns")) {
        if (!placement.route53ControlPlaneUp()) {
          failures.push("route53: ChangeResourceRecordSets did not answer (us-east-1 is out)");
        } else if (this.cloud.takeApiError("route53", "us-east-1")) {
          failures.push("route53: ChangeResourceRecordSets failed (injected)");
        }
      }
      if (rebuilds.length > 0) seconds = Math.max(seconds, this.database.rebuildSecondsFor());
      options.onProgress?.(`updating ${regions.join(", ") || "nothing"} (${diff.length} changes)`);
      await this.cloud.clock.sleep(seconds * 1000, options.signal);
      const failed = new Set(failures.map((f) => f.split(":")[0]));
      const changed = this.cloud.apply(
        plan,
        regions.filter((r) => !failed.has(r)),
        dns && !failed.has("route53"),
      );
      for (const r of rebuilds) if (!failed.has(r)) this.database.rebuild(r);
      const durationMs = this.cloud.clock.now() - start;
      this.record(failures.length === 0 ? "succeeded" : "failed", options.message ?? "", start);
      if (failures.length > 0) {
        throw new StackUpdateError(STACK, failures.join("; "));
      }
      return { changes: { update: changed.length }, outputs: this.outputsNow(), durationMs };
    } finally {
      this.running = false;
    }
  }

  async refresh(options: UpdateOptions = {}): Promise<ChangeSummary> {
    await this.cloud.clock.sleep(5000, options.signal);
    return { changes: { same: this.cloud.regions.length * 2 }, steps: [] };
  }

  async outputs(): Promise<Record<string, unknown>> {
    return this.outputsNow();
  }

  async history(limit = 10): Promise<StackHistoryEntry[]> {
    return this.log.slice(-limit).reverse();
  }

  private outputsNow(): Record<string, unknown> {
    const endpoints: Record<string, string> = {};
    for (const r of this.cloud.config.regions) endpoints[r.region] = r.endpoint;
    return { endpoints, writer: this.database.writerRegion() };
  }

  private record(result: string, message: string, startMs: number): void {
    this.log.push({
      version: this.log.length + 1,
      kind: "update",
      result,
      startTime: new Date(startMs).toISOString(),
      message,
    });
  }
}
