import { readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { PulumiStackEngine } from "../../automation/adapters/pulumi/pulumiStackEngine";
import { StackLockedError, StackUpdateError, type UpdateResult } from "../../automation/ports";
import {
  CLOUDFREE_PROGRAM,
  type CloudfreeStack,
  type DeployedResource,
  openCloudfreeStack,
  TEST_PASSPHRASE,
  withGreen,
} from "./cloudfreeStack";

/**
 * The StackEngine adapter on the real engine: the provided CLI, a `file://` backend in a temporary
 * directory and the cloud-free program. One stack for the whole file; each test starts from a
 * reconciled stack and leaves one behind.
 */

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
const BAD_VERSION = "6.6.6";
const SLOW_VERSION = "9.0.0-slow";
const SLOW_MS = 2500;
const ENGINE_TEST_MS = 180_000;

let cf: CloudfreeStack;

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

function regionOf(name: string): string | null {
  return REGIONS.find((r) => name === r || name.startsWith(`${r}-`)) ?? null;
}

/**
 * The stack's resources as far as an update may change them: custom resources whole; components
 * without their outputs. The engine records a component's registered outputs (and the root stack's)
 * on every run, targeted or not: they are the program's view, and no provider is called for them.
 */
function cloudResources(deployed: Map<string, DeployedResource>): Map<string, unknown> {
  return new Map(
    [...deployed]
      .filter(([, r]) => r.type !== "pulumi:pulumi:Stack")
      .map(([name, r]) => [
        name,
        r.custom === true ? r : { type: r.type, parent: r.parent, inputs: r.inputs },
      ]),
  );
}

function inRegion(deployed: Map<string, DeployedResource>, region: string): Map<string, unknown> {
  return new Map([...cloudResources(deployed)].filter(([name]) => regionOf(name) === region));
}

function outsideRegions(
  deployed: Map<string, DeployedResource>,
  regions: readonly string[],
): Map<string, unknown> {
  return new Map([...cloudResources(deployed)].filter(([name]) => !regions.includes(regionOf(name) ?? "")));
}

function slotVersion(deployed: Map<string, DeployedResource>, name: string): unknown {
  return (deployed.get(name)?.outputs?.props as { version?: unknown } | undefined)?.version;
}

/** Fake-cloud operations finished since `before` operations had been logged. */
async function doneSince(before: number): Promise<string[]> {
  return (await cf.operations())
    .slice(before)
    .filter((o) => (o as { phase?: string }).phase === "done")
    .map((o) => `${o.op} ${o.name}`);
}

async function waitForOperation(
  match: (o: { op: string; name: string; props: Record<string, unknown> }) => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await cf.operations()).some(match)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the fake cloud never started the expected operation");
}

async function reconcile(state: OperationalState): Promise<void> {
  await cf.writeState(state);
  await cf.engine.up({ message: "reconcile" });
}

describe("PulumiStackEngine on the real engine", () => {
  it(
    "selects the existing stack again, and keeps secrets encrypted in the stack file",
    async () => {
      const again = await PulumiStackEngine.open({
        stack: cf.engine.name,
        binDir: inject("pulumiBinDir"),
        programDir: CLOUDFREE_PROGRAM,
        workDir: cf.engine.workDir,
        backendUrl: `file://${path.join(cf.root, "backend")}`,
        passphrase: TEST_PASSPHRASE,
        pulumiHome: path.join(cf.root, "pulumi-home"),
      });
      const config = await again.config();
      expect(config["cloudfree:apiToken"]).toEqual({ value: "s3cr3t-token", secret: true });
      expect(config["regionctl:writer"]).toEqual({ value: "us-east-1", secret: false });
      const stackFile = await readFile(path.join(cf.engine.workDir, `Pulumi.${cf.engine.name}.yaml`), "utf8");
      expect(stackFile).not.toContain("s3cr3t-token");
      expect(stackFile).toMatch(/cloudfree:apiToken:\s+secure:/);
      const history = await again.history(1);
      expect(history[0]).toMatchObject({ kind: "update", result: "succeeded", message: "initial" });
    },
    ENGINE_TEST_MS,
  );

  it(
    "updates region by region, changing only the targeted region's resources",
    async () => {
      const before = await cf.readState();
      const staged = { ...before, regions: { ...before.regions } };
      for (const r of REGIONS) staged.regions[r] = { ...staged.regions[r], ...withGreen(before, r, "2.0.0") };
      await cf.writeState(staged);

      const updated: string[] = [];
      let previous = await cf.deployed();
      let last: UpdateResult | undefined;
      for (const region of ["us-west-2", "eu-west-1", "us-east-1"]) {
        const opsBefore = (await cf.operations()).length;
        const lines: string[] = [];

        const result = await cf.engine.up({
          targets: { regions: [region] },
          onProgress: (l) => lines.push(l),
        });
        last = result;
        updated.push(region);

        const now = await cf.deployed();
        expect(result.changes.create).toBe(1);
        expect(lines).toEqual([`created ${region}-app-green (AppSlot)`]);
        expect(await doneSince(opsBefore)).toEqual([`create ${region}-app-green`]);
        expect(slotVersion(now, `${region}-app-green`)).toBe("2.0.0");
        // Everything outside the target, including regions already done, is exactly as before.
        expect(outsideRegions(now, [region])).toEqual(outsideRegions(previous, [region]));
        for (const other of REGIONS.filter((r) => !updated.includes(r))) {
          expect(now.has(`${other}-app-green`)).toBe(false);
        }
        previous = now;
      }
      // The update's outputs (taken from its events) are what the CLI reports afterwards.
      const outputs = await cf.engine.outputs();
      expect(last?.outputs).toEqual(outputs);
      expect(outputs.regions).toMatchObject({
        "us-east-1": { slots: { green: "2.0.0" } },
        "eu-west-1": { slots: { green: "2.0.0" } },
      });
      await reconcile(before);
    },
    ENGINE_TEST_MS,
  );

  it(
    "leaves an excluded region untouched while the others change",
    async () => {
      const before = await cf.readState();
      await cf.patchRegions(
        Object.fromEntries(
          REGIONS.map((r) => [r, { slots: { blue: { version: "1.0.0", replicas: 7 }, green: null } }]),
        ),
      );
      const previous = await cf.deployed();
      const opsBefore = (await cf.operations()).length;

      await cf.engine.up({ excludes: { regions: ["eu-west-1"] } });

      const now = await cf.deployed();
      expect(inRegion(now, "eu-west-1")).toEqual(inRegion(previous, "eu-west-1"));
      expect(inRegion(now, "eu-west-1").size).toBeGreaterThan(0);
      for (const r of ["us-east-1", "us-west-2"]) {
        expect((now.get(`${r}-app-blue`)?.outputs?.props as { replicas: number }).replicas).toBe(7);
      }
      const done = await doneSince(opsBefore);
      expect(done.sort()).toEqual(["update us-east-1-app-blue", "update us-west-2-app-blue"]);
      await reconcile(before);
    },
    ENGINE_TEST_MS,
  );

  it(
    "surfaces the engine's message when an update fails, and the next up with the previous state succeeds",
    async () => {
      const before = await cf.readState();
      await cf.patchRegions({
        "us-east-1": withGreen(before, "us-east-1", BAD_VERSION),
        "us-west-2": { slots: { blue: { version: "1.0.0", replicas: 4 }, green: null } },
      });

      const failure = await cf.engine.up().then(
        () => null,
        (err: unknown) => err,
      );

      expect(failure).toBeInstanceOf(StackUpdateError);
      const engineMessage = (failure as StackUpdateError).engineMessage;
      expect(engineMessage).toContain(`us-east-1-app-green: version ${BAD_VERSION} never became ready`);
      expect((failure as Error).message).toContain(engineMessage);
      const afterFailure = await cf.deployed();
      expect(afterFailure.has("us-east-1-app-green")).toBe(false);
      expect((await cf.engine.history(1))[0]).toMatchObject({ kind: "update", result: "failed" });

      await cf.writeState(before);
      const recovered = await cf.engine.up({ message: "after failure" });
      const now = await cf.deployed();
      expect(now.has("us-east-1-app-green")).toBe(false);
      expect((now.get("us-west-2-app-blue")?.outputs?.props as { replicas: number }).replicas).toBe(3);
      expect(recovered.outputs.regions).toMatchObject({ "us-east-1": { servingVersion: "1.0.0" } });
      expect((await cf.engine.history(1))[0]).toMatchObject({
        result: "succeeded",
        message: "after failure",
      });
    },
    ENGINE_TEST_MS,
  );

  it(
    "previews a state override without touching the store, and passes expectNoChanges only when reconciled",
    async () => {
      const before = await cf.readState();
      const name = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

      const planned = {
        ...before,
        regions: {
          ...before.regions,
          "us-east-1": { ...before.regions["us-east-1"], ...withGreen(before, "us-east-1", "7.0.0") },
        },
      };
      const dryRun = await cf.engine.preview({ stateOverride: planned, targets: { regions: ["us-east-1"] } });
      expect(dryRun.steps.map((s) => `${s.op} ${name(s.urn)}`)).toEqual(["create us-east-1-app-green"]);
      // The override lived for that preview only: the stored state still matches the stack.
      expect(await cf.readState()).toEqual(before);
      const clean = await cf.engine.preview({ expectNoChanges: true });
      expect(clean.steps).toEqual([]);
      expect(Object.keys(clean.changes)).toEqual(["same"]);

      await cf.patchRegions({ "eu-west-1": withGreen(before, "eu-west-1", "3.0.0") });
      await expect(cf.engine.preview({ expectNoChanges: true })).rejects.toThrow(/no changes were expected/);
      await cf.engine.up();
      const reconciled = await cf.engine.preview({ expectNoChanges: true });
      expect(reconciled.steps).toEqual([]);
      await reconcile(before);
    },
    ENGINE_TEST_MS,
  );

  it(
    "refreshes a region from the cloud and reports what drifted",
    async () => {
      await rm(path.join(cf.resourceDir, "us-west-2-dns.json"));
      const lines: string[] = [];
      const refreshed = await cf.engine.refresh({
        targets: { regions: ["us-west-2"] },
        onProgress: (l) => lines.push(l),
      });
      expect(refreshed.changes.delete).toBe(1);
      expect(lines).toEqual(["deleted us-west-2-dns (DnsWeight)"]);
      expect((await cf.deployed()).has("us-west-2-dns")).toBe(false);

      const repaired = await cf.engine.up({ targets: { regions: ["us-west-2"] } });
      expect(repaired.changes.create).toBe(1);
      expect(
        JSON.parse(await readFile(path.join(cf.resourceDir, "us-west-2-dns.json"), "utf8")),
      ).toMatchObject({
        name: "us-west-2-dns",
      });
    },
    ENGINE_TEST_MS,
  );

  describe("while an update is running", () => {
    it(
      "gives the second of two concurrent ups the locked error and loses no state",
      async () => {
        const before = await cf.readState();
        await cf.patchRegions({ "us-west-2": withGreen(before, "us-west-2", SLOW_VERSION) });
        const resourcesBefore = cloudResources(await cf.deployed()).size;

        const first = cf.engine.up({ message: "first" });
        await waitForOperation((o) => o.name === "us-west-2-app-green" && o.props.version === SLOW_VERSION);
        const second = await cf.engine.up({ message: "second" }).then(
          () => null,
          (err: unknown) => err,
        );
        const firstResult = await first;

        expect(second).toBeInstanceOf(StackLockedError);
        expect((second as Error).message).toMatch(
          /^stack test is locked by another update: lock held by .+ \(pid \d+\)/,
        );
        expect(firstResult.changes.create).toBe(1);
        const now = await cf.deployed();
        expect(slotVersion(now, "us-west-2-app-green")).toBe(SLOW_VERSION);
        expect(cloudResources(now).size).toBe(resourcesBefore + 1);
        expect((await cf.engine.history(1))[0]).toMatchObject({ result: "succeeded", message: "first" });
        await cf.engine.preview({ expectNoChanges: true });
        await reconcile(before);
      },
      ENGINE_TEST_MS,
    );

    it(
      "cancels a running up through its AbortSignal and leaves the stack usable",
      async () => {
        const before = await cf.readState();
        // The service switches to green only after the green slot is in place, so a cancel while
        // the slot is being created stops the update between the two.
        await cf.patchRegions({
          "eu-west-1": { ...withGreen(before, "eu-west-1", SLOW_VERSION), activeColor: "green" },
        });
        const controller = new AbortController();
        const reason = new Error("operator cancelled the update");

        const running = cf.engine.up({ signal: controller.signal });
        await waitForOperation((o) => o.name === "eu-west-1-app-green" && o.props.version === SLOW_VERSION);
        controller.abort(reason);
        await expect(running).rejects.toBe(reason);

        const exported = await cf.engine.resources();
        const now = await cf.deployed();
        expect(exported.length).toBeGreaterThan(0);
        // The operation in flight finished and was recorded; the one after it never started.
        expect(slotVersion(now, "eu-west-1-app-green")).toBe(SLOW_VERSION);
        expect(
          (now.get("eu-west-1-service")?.outputs?.props as { selectorColor: string }).selectorColor,
        ).toBe("blue");
        expect((await cf.engine.history(1))[0].result).toBe("failed");

        const lines: string[] = [];
        const resumed = await cf.engine.up({ onProgress: (l) => lines.push(l) });
        expect(resumed.changes.update).toBe(1);
        expect(lines).toEqual(["updated eu-west-1-service (Service)"]);
        await cf.engine.preview({ expectNoChanges: true });
        await reconcile(before);
      },
      ENGINE_TEST_MS,
    );

    it(
      "rejects at once, starting nothing, when the signal has already fired",
      async () => {
        const controller = new AbortController();
        controller.abort(new Error("too late"));
        const opsBefore = (await cf.operations()).length;
        await expect(cf.engine.up({ signal: controller.signal })).rejects.toThrow("too late");
        expect((await cf.operations()).length).toBe(opsBefore);
      },
      ENGINE_TEST_MS,
    );
  });

  it(
    "reports an invalid config with the program's own message and changes nothing",
    async () => {
      const config = await cf.engine.config();
      const dns = JSON.parse(config["regionctl:dns"].value) as Record<string, unknown>;
      const previous = cloudResources(await cf.deployed());
      await cf.engine.setConfig({ "regionctl:dns": { ...dns, ttl: 600 } });
      try {
        const failure = await cf.engine.up().then(
          () => null,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(StackUpdateError);
        expect((failure as StackUpdateError).engineMessage).toContain(
          "regionctl:dns.ttl: health-checked records need a TTL of 60 s or less",
        );
        expect(cloudResources(await cf.deployed())).toEqual(previous);
      } finally {
        await cf.engine.setConfig({ "regionctl:dns": dns });
      }
    },
    ENGINE_TEST_MS,
  );
});
