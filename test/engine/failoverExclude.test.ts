import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../components/config";
import { systemClock } from "../../automation/executor/systemClock";
import type { Ports } from "../../automation/ports";
import { createWatcher } from "../../automation/watch/watcher";
import {
  EffectLog,
  MemoryGlobalDatabase,
  MemoryHealthSource,
  MemoryMetricsSource,
  MemorySyncJobs,
} from "../support/memoryPorts";
import { sampleRawConfig } from "../support/sampleConfig";
import { type CloudfreeStack, type DeployedResource, openCloudfreeStack } from "./cloudfreeStack";

/**
 * The failover's stack update on the real engine with the cloud-free program: the watcher sees the
 * writer region fail, fails over, and its stack update excludes every resource of the failed
 * region. Those resources are untouched, while the new writer's change.
 */

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
const FAILED = "us-east-1";
const ENGINE_TEST_MS = 300_000;

let cf: CloudfreeStack;

beforeAll(async () => {
  cf = await openCloudfreeStack({ binDir: inject("pulumiBinDir"), regions: REGIONS.length });
  await cf.engine.up({ message: "initial" });
}, ENGINE_TEST_MS);

afterAll(async () => {
  await cf?.dispose();
});

function regionOf(name: string): string | null {
  return REGIONS.find((r) => name === r || name.startsWith(`${r}-`)) ?? null;
}

/** A region's provider-managed resources, whole (inputs and outputs). */
function customIn(deployed: Map<string, DeployedResource>, region: string): Map<string, DeployedResource> {
  return new Map([...deployed].filter(([name, r]) => r.custom === true && regionOf(name) === region));
}

function props(deployed: Map<string, DeployedResource>, name: string): Record<string, unknown> {
  return (deployed.get(name)?.outputs?.props ?? {}) as Record<string, unknown>;
}

describe("failover on the real engine", () => {
  it(
    "the stack update during failover excludes the failed region: its resources are untouched",
    async () => {
      const config = parseConfig(
        sampleRawConfig({ regions: REGIONS.length, stateStore: { kind: "file", directory: "unused" } }),
      );
      const before = await cf.deployed();
      const failedBefore = customIn(before, FAILED);
      expect(failedBefore.size).toBeGreaterThan(0);
      expect(props(before, `${FAILED}-db`).role).toBe("primary");
      const opsBefore = (await cf.operations()).length;

      const log = new EffectLog(systemClock);
      const health = new MemoryHealthSource(systemClock, log, (region) => region !== FAILED);
      const database = new MemoryGlobalDatabase(
        systemClock,
        log,
        `${config.environment}-global`,
        REGIONS,
        FAILED,
      );
      database.promotionMs = 0;
      database.lag = { "us-west-2": 4, "eu-west-1": 1 };
      const ports: Ports = {
        clock: systemClock,
        state: cf.store,
        stack: cf.engine,
        health,
        metrics: new MemoryMetricsSource(log),
        database,
        sync: new MemorySyncJobs(systemClock, log),
      };
      const lines: string[] = [];
      const watcher = createWatcher({ config, ports, holder: "engine-test", onEvent: (l) => lines.push(l) });
      for (let i = 0; i < config.failover.failureThreshold; i++) await watcher.tick();
      const done = await watcher.settled();
      expect(
        done.map((d) => [d.kind, d.outcome]),
        lines.join("\n"),
      ).toEqual([["failover", "succeeded"]]);

      const state = await cf.readState();
      expect(state.writer).toBe("eu-west-1");
      expect(state.regions[FAILED]).toMatchObject({ drained: true, excluded: true });

      const after = await cf.deployed();
      // Every resource of the failed region is exactly as it was: not updated, not replaced, not deleted.
      expect(customIn(after, FAILED)).toEqual(failedBefore);
      // The fake cloud saw no call for the failed region's resources, and calls for the new writer's.
      const ops = (await cf.operations()).slice(opsBefore).map((o) => o.name);
      expect(ops.filter((name) => regionOf(name) === FAILED)).toEqual([]);
      expect(ops.some((name) => regionOf(name) === "eu-west-1")).toBe(true);
      expect(props(after, "eu-west-1-db").role).toBe("primary");
      expect(props(after, "eu-west-1-dns").failoverRole).toBe("PRIMARY");

      // Control: without the exclusion, the same state would have changed the failed region.
      const preview = await cf.engine.preview();
      const touched = preview.steps
        .filter((s) => s.op !== "same")
        .map((s) => s.urn.slice(s.urn.lastIndexOf("::") + 2));
      expect(touched.some((name) => regionOf(name) === FAILED)).toBe(true);
    },
    ENGINE_TEST_MS,
  );
});
