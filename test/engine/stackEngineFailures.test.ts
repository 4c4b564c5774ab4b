import { readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { StackUpdateError } from "../../automation/ports";
import { withGreen } from "./cloudfreeStack";
import { BAD_VERSION, cf, ENGINE_TEST_MS, reconcile, useEngineStack } from "./engineStack";

/**
 * The StackEngine adapter on the real engine when things go wrong or drift: a failed update and
 * the next one, previews of a state override, refresh of a drifted region.
 */

useEngineStack();

describe("PulumiStackEngine on the real engine", () => {
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
});
