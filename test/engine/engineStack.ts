import { afterAll, beforeAll, inject } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { type CloudfreeStack, type DeployedResource, openCloudfreeStack } from "./cloudfreeStack";

/**
 * What the StackEngine adapter's real-engine test files share: each file opens a stack of its own
 * (so the files spread over the test workers), reconciled before each test and left reconciled.
 */

export const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
export const BAD_VERSION = "6.6.6";
export const SLOW_VERSION = "9.0.0-slow";
export const SLOW_MS = 2500;
export const ENGINE_TEST_MS = 180_000;

export let cf: CloudfreeStack;

/** Opens this file's stack before its tests and removes it after. */
export function useEngineStack(): void {
  beforeAll(async () => {
    cf = await openCloudfreeStack({
      binDir: inject("pulumiBinDir"),
      regions: REGIONS.length,
      config: {
        "cloudfree:badVersion": BAD_VERSION,
        "cloudfree:slowVersion": SLOW_VERSION,
        "cloudfree:slotDelayMs": SLOW_MS,
      },
    });
    await cf.engine.setSecrets({ "cloudfree:apiToken": "s3cr3t-token" });
    await cf.engine.up({ message: "initial" });
  }, ENGINE_TEST_MS);

  afterAll(async () => {
    await cf?.dispose();
  });
}

export function regionOf(name: string): string | null {
  return REGIONS.find((r) => name === r || name.startsWith(`${r}-`)) ?? null;
}

/**
 * The stack's resources as far as an update may change them: custom resources whole; components
 * without their outputs. The engine records a component's registered outputs (and the root stack's)
 * on every run, targeted or not: they are the program's view, and no provider is called for them.
 */
export function cloudResources(deployed: Map<string, DeployedResource>): Map<string, unknown> {
  return new Map(
    [...deployed]
      .filter(([, r]) => r.type !== "pulumi:pulumi:Stack")
      .map(([name, r]) => [
        name,
        r.custom === true ? r : { type: r.type, parent: r.parent, inputs: r.inputs },
      ]),
  );
}

export function inRegion(deployed: Map<string, DeployedResource>, region: string): Map<string, unknown> {
  return new Map([...cloudResources(deployed)].filter(([name]) => regionOf(name) === region));
}

export function outsideRegions(
  deployed: Map<string, DeployedResource>,
  regions: readonly string[],
): Map<string, unknown> {
  return new Map([...cloudResources(deployed)].filter(([name]) => !regions.includes(regionOf(name) ?? "")));
}

export function slotVersion(deployed: Map<string, DeployedResource>, name: string): unknown {
  return (deployed.get(name)?.outputs?.props as { version?: unknown } | undefined)?.version;
}

/** Fake-cloud operations finished since `before` operations had been logged. */
export async function doneSince(before: number): Promise<string[]> {
  return (await cf.operations())
    .slice(before)
    .filter((o) => (o as { phase?: string }).phase === "done")
    .map((o) => `${o.op} ${o.name}`);
}

export async function waitForOperation(
  match: (o: { op: string; name: string; props: Record<string, unknown> }) => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await cf.operations()).some(match)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the fake cloud never started the expected operation");
}

export async function reconcile(state: OperationalState): Promise<void> {
  await cf.writeState(state);
  await cf.engine.up({ message: "reconcile" });
}
