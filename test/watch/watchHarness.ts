import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import {
  type TickReport,
  type Watcher,
  type WatcherOptions,
  createWatcher,
} from "../../automation/watch/watcher";
import { type MemoryPorts, memoryPorts } from "../support/memoryPorts";

/** A watcher on the in-memory ports and their virtual clock, ticking every 10 s like Route 53. */
export interface WatchRig {
  readonly mem: MemoryPorts;
  readonly config: EnvironmentConfig;
  watcher: Watcher;
  readonly lines: string[];
  /** Region -> whether it answers healthy right now. */
  readonly up: Record<string, boolean>;
  /** Runs `n` ticks, 10 s apart on the virtual clock; returns their reports. */
  ticks(n: number): Promise<TickReport[]>;
  /** Ticks until `done(report)` or `max` ticks. */
  until(done: (r: TickReport) => boolean, max?: number): Promise<TickReport[]>;
  newWatcher(options?: Partial<WatcherOptions>): Watcher;
  stored(): OperationalState;
}

export const TICK_MS = 10_000;

export function watchRig(
  config: EnvironmentConfig,
  options: Partial<WatcherOptions> = {},
  state: OperationalState | null = null,
): WatchRig {
  const mem = memoryPorts(config, { state });
  const up: Record<string, boolean> = Object.fromEntries(config.regions.map((r) => [r.region, true]));
  mem.health.policy = (region) => up[region] ?? false;
  const lines: string[] = [];
  const make = (over: Partial<WatcherOptions> = {}): Watcher =>
    createWatcher({
      config,
      ports: mem.ports,
      holder: "watch-test",
      stack: "dev",
      random: () => 0.5,
      onEvent: (l) => lines.push(l),
      ...options,
      ...over,
    });
  const rig: WatchRig = {
    mem,
    config,
    watcher: make(),
    lines,
    up,
    async ticks(n) {
      const out: TickReport[] = [];
      for (let i = 0; i < n; i++) {
        out.push(await rig.watcher.tick());
        await mem.clock.sleep(TICK_MS);
      }
      return out;
    },
    async until(done, max = 200) {
      const out: TickReport[] = [];
      for (let i = 0; i < max; i++) {
        const r = await rig.watcher.tick();
        out.push(r);
        if (done(r)) return out;
        await mem.clock.sleep(TICK_MS);
      }
      throw new Error(
        `condition not reached in ${max} ticks; last: ${JSON.stringify(out.at(-1)?.decisions)}`,
      );
    },
    newWatcher: make,
    stored() {
      const s = mem.state.current;
      if (s === null) throw new Error("no state stored");
      return s;
    },
  };
  return rig;
}
