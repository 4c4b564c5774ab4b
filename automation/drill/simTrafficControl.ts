import {
  type Clock,
  TrafficChangeRejectedError,
  type TrafficControl,
  TrafficControlUnavailableError,
  type TrafficState,
} from "../ports";
import { assertTrafficChange } from "../trafficChange";

/**
 * Drill seconds from a flip's call to Route 53 answering with the new state: one data-plane call
 * and the RECOVERY_CONTROL health checks following it.
 */
export const ARC_FLIP_SECONDS = 1;

export interface SimTrafficControlOptions {
  /** Drill seconds one call takes (the cluster's data plane answers in well under a second). Default 0. */
  readonly callSeconds?: number;
  /** Called after every applied change with the new states, so the simulated Route 53 follows at once. */
  readonly onChange?: (states: ReadonlyMap<string, TrafficState>) => void;
}

/**
 * Route 53 ARC routing controls in the drill. The simulated Route 53 answers from `isOn` directly:
 * a routing control's RECOVERY_CONTROL health check changes with the control, with none of the
 * detection delay of an endpoint health check. The safety rule (at least one region on) judges
 * each change whole, as the cluster does. The cluster's five regional endpoints survive any single
 * region's outage, so the simulation stays reachable unless a drill says otherwise (`setReachable`).
 */
export class SimTrafficControl implements TrafficControl {
  readonly regions: readonly string[];
  private readonly states: Map<string, TrafficState>;
  private reachable = true;

  constructor(
    regions: readonly string[],
    private readonly clock: Clock,
    private readonly options: SimTrafficControlOptions = {},
  ) {
    this.regions = [...regions].sort();
    this.states = new Map(this.regions.map((r) => [r, "on" as const]));
  }

  /** Whether Route 53 may answer with this region now. Unknown regions are never on. */
  isOn(region: string): boolean {
    return this.states.get(region) === "on";
  }

  /** Regions whose control is on, sorted. */
  onRegions(): string[] {
    return this.regions.filter((r) => this.isOn(r));
  }

  /** Makes every endpoint unreachable (false) or reachable again (true). */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
  }

  async setRegions(on: readonly string[], off: readonly string[], signal?: AbortSignal): Promise<void> {
    assertTrafficChange(this.regions, on, off);
    await this.call(signal);
    const next = new Map(this.states);
    for (const r of on) next.set(r, "on");
    for (const r of off) next.set(r, "off");
    if (![...next.values()].includes("on")) {
      throw new TrafficChangeRejectedError(`turning on [${on.join(", ")}] and off [${off.join(", ")}]`);
    }
    for (const [r, s] of next) this.states.set(r, s);
    this.options.onChange?.(new Map(this.states));
  }

  async describe(signal?: AbortSignal): Promise<ReadonlyMap<string, TrafficState>> {
    await this.call(signal);
    return new Map(this.states);
  }

  private async call(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const seconds = this.options.callSeconds ?? 0;
    if (seconds > 0) await this.clock.sleep(seconds * 1000, signal);
    if (!this.reachable) {
      throw new TrafficControlUnavailableError(["every simulated cluster endpoint is unreachable"]);
    }
  }
}
