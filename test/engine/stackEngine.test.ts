import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it, inject } from "vitest";
import { PulumiStackEngine } from "../../automation/adapters/pulumi/pulumiStackEngine";
import { StackUpdateError, type UpdateResult } from "../../automation/ports";
import { CLOUDFREE_PROGRAM, TEST_PASSPHRASE, withGreen } from "./cloudfreeStack";
import {
  cf,
  cloudResources,
  doneSince,
  ENGINE_TEST_MS,
  inRegion,
  outsideRegions,
  reconcile,
  REGIONS,
  slotVersion,
  useEngineStack,
} from "./engineStack";

/**
 * The StackEngine adapter on the real engine: the provided CLI, a `file://` backend in a temporary
 * directory and the cloud-free program: opening, region targets and excludes, config errors. Each
 * engine test file has a stack of its own (engineStack.ts), so the files spread over the workers.
 */

useEngineStack();

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
