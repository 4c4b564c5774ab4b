import type { ExecutorOptions, ProgressEvent } from "../../automation/executor";
import { type PromotionOptions } from "../../automation/plans/promotion";
import type { Plan } from "../../automation/plans/steps";
import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { mustPlan } from "../plans/promotionFixtures";
import { type MemoryPorts, memoryPorts } from "../support/memoryPorts";
import { type SampleConfigOptions, sampleConfig } from "../support/sampleConfig";

/** An environment in memory ports, ready for the executor. */
export interface Harness {
  readonly config: EnvironmentConfig;
  readonly mem: MemoryPorts;
  readonly progress: ProgressEvent[];
  options(extra?: Partial<ExecutorOptions>): ExecutorOptions;
  plan(version: string, options?: PromotionOptions): Promise<Plan>;
  /** Successful stack updates, in order: targets and the versions they left each region serving. */
  ups(): { targets: unknown; versions: unknown; apps: unknown }[];
  stored(): OperationalState;
}

export function harness(options: SampleConfigOptions & { state?: OperationalState | null } = {}): Harness {
  const config = sampleConfig(options);
  const mem = memoryPorts(config, { state: options.state ?? null });
  const progress: ProgressEvent[] = [];
  return {
    config,
    mem,
    progress,
    options: (extra = {}) => ({
      config,
      ports: mem.ports,
      holder: "alice@ci:100",
      onProgress: (e) => progress.push(e),
      ...extra,
    }),
    plan: async (version, planOptions = {}) =>
      mustPlan(config, (await mem.state.read())?.state ?? null, version, planOptions),
    ups: () =>
      mem.log
        .of("stack", "up")
        .map((e) => ({ targets: e.detail.targets, versions: e.detail.versions, apps: e.detail.apps })),
    stored: () => {
      const s = mem.state.current;
      if (s === null) throw new Error("nothing stored");
      return s;
    },
  };
}
