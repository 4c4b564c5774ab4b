import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Strategy } from "../../components/config";
import { type OperationResult, runPlan } from "../../automation/executor";
import { systemClock } from "../../automation/executor/systemClock";
import { planPromotion } from "../../automation/plans/promotion";
import { isRefusal } from "../../automation/plans/steps";
import type { Ports } from "../../automation/ports";
import {
  EffectLog,
  MemoryGlobalDatabase,
  MemoryHealthSource,
  MemoryMetricsSource,
  MemorySyncJobs,
} from "../support/memoryPorts";
import { type CloudfreeStack, type DeployedResource, openCloudfreeStack } from "./cloudfreeStack";

/**
 * Promotions planned and run by the real executor against the real engine: the StackEngine adapter
 * on the cloud-free program and the file state store the program reads. Health, metrics, the
 * database and sync jobs are in-memory fakes (all healthy); the engine itself fails the bad
 * version, as a release whose pods never become ready. Every outcome is checked in the stack's
 * exported state.
 */

const REGIONS = ["us-east-1", "us-west-2"];
const BAD_VERSION = "6.6.6";
const ENGINE_TEST_MS = 240_000;

let cf: CloudfreeStack;
let ports: Ports;

beforeAll(async () => {
  cf = await openCloudfreeStack({
    binDir: inject("pulumiBinDir"),
    stack: "promotion",
    regions: REGIONS.length,
    // Short gates (healthy at once), no bake, no scale-down wait: the engine sets the pace.
    release: {
      healthTimeoutSeconds: 5,
      healthyThreshold: 1,
      bakeSeconds: 0,
      canarySteps: [50, 100],
      scaleDownDelaySeconds: 0,
    },
    config: { "cloudfree:badVersion": BAD_VERSION },
  });
  await cf.engine.up({ message: "initial" });
  const log = new EffectLog(systemClock);
  ports = {
    clock: systemClock,
    state: cf.store,
    stack: cf.engine,
    health: new MemoryHealthSource(systemClock, log),
    metrics: new MemoryMetricsSource(log),
    database: new MemoryGlobalDatabase(
      systemClock,
      log,
      `${cf.config.environment}-global`,
      REGIONS,
      cf.config.writer,
    ),
    sync: new MemorySyncJobs(systemClock, log),
  };
}, ENGINE_TEST_MS);

afterAll(async () => {
  await cf?.dispose();
});

async function promote(version: string, strategy: Strategy): Promise<OperationResult> {
  const stored = await cf.store.read();
  const plan = planPromotion(cf.config, stored?.state ?? null, version, { strategy });
  if (isRefusal(plan)) throw new Error(`promotion refused: ${plan.reason}`);
  return runPlan(plan, { config: cf.config, ports, holder: "engine-test@localhost:1" });
}

interface Slot {
  readonly version: string;
  readonly replicas: number;
}

function slot(deployed: Map<string, DeployedResource>, region: string, color: string): Slot | null {
  return (deployed.get(`${region}-app-${color}`)?.outputs?.props as Slot | undefined) ?? null;
}

/** What each region's Service sends traffic to, read from the exported state. */
function served(
  deployed: Map<string, DeployedResource>,
): Record<string, { color: string | null; slot: Slot | null }> {
  return Object.fromEntries(
    REGIONS.map((r) => {
      const color = (deployed.get(`${r}-service`)?.outputs?.props as { selectorColor: string | null })
        .selectorColor;
      return [r, { color, slot: color === null ? null : slot(deployed, r, color) }];
    }),
  );
}

function deployedVersions(deployed: Map<string, DeployedResource>): string[] {
  return [...deployed.values()]
    .filter((r) => r.type.endsWith(":AppSlot"))
    .map((r) => (r.outputs?.props as Slot).version);
}

describe("promotions on the real engine", () => {
  it(
    "rolls 2.0.0 out region by region in the active colour",
    async () => {
      const result = await promote("2.0.0", "rolling");

      expect(result.outcome).toBe("succeeded");
      const deployed = await cf.deployed();
      for (const r of REGIONS) {
        expect(served(deployed)[r]).toEqual({
          color: "blue",
          slot: { color: "blue", version: "2.0.0", replicas: 3 },
        });
        expect(deployed.has(`${r}-app-green`)).toBe(false);
        expect(result.state.regions[r]).toMatchObject({ version: "2.0.0", releaseStatus: "deployed" });
      }
    },
    ENGINE_TEST_MS,
  );

  it(
    "switches every region to 3.0.0 in the green colour and scales blue away (blue-green)",
    async () => {
      const result = await promote("3.0.0", "blue-green");

      expect(result.outcome).toBe("succeeded");
      const deployed = await cf.deployed();
      for (const r of REGIONS) {
        expect(served(deployed)[r]).toEqual({
          color: "green",
          slot: { color: "green", version: "3.0.0", replicas: 3 },
        });
        expect(slot(deployed, r, "blue")).toEqual({ color: "blue", version: "2.0.0", replicas: 0 });
        expect(result.state.regions[r]).toMatchObject({
          version: "3.0.0",
          activeColor: "green",
          releaseStatus: "deployed",
        });
      }
    },
    ENGINE_TEST_MS,
  );

  it(
    "takes 4.0.0 through a canary region first, then the rest (canary)",
    async () => {
      const result = await promote("4.0.0", "canary");

      expect(result.outcome).toBe("succeeded");
      const deployed = await cf.deployed();
      for (const r of REGIONS) {
        expect(served(deployed)[r].slot?.version).toBe("4.0.0");
        expect(result.state.regions[r]).toMatchObject({
          version: "4.0.0",
          canaryWeight: null,
          releaseStatus: "deployed",
        });
      }
      // The canary region moved colour (the canary ran beside the stable one); the rest rolled in place.
      const colours = Object.values(served(deployed)).map((s) => s.color);
      expect(colours.sort()).toEqual(["blue", "green"]);
    },
    ENGINE_TEST_MS,
  );

  it(
    "rolls a bad version back to the previous one when the engine fails its update",
    async () => {
      const before = served(await cf.deployed());

      const result = await promote(BAD_VERSION, "canary");

      expect(result.outcome).toBe("rolledback");
      expect(result.reason).toContain(`version ${BAD_VERSION} never became ready`);
      const deployed = await cf.deployed();
      expect(served(deployed)).toEqual(before);
      expect(deployedVersions(deployed)).not.toContain(BAD_VERSION);
      expect(Object.values(result.state.regions).map((r) => r.version)).toEqual(["4.0.0", "4.0.0"]);
      expect(result.state.operation).toBeNull();
      await cf.engine.preview({ expectNoChanges: true });
    },
    ENGINE_TEST_MS,
  );
});
