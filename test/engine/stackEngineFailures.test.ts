import { existsSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { PulumiStackEngine } from "../../automation/adapters/pulumi/pulumiStackEngine";
import { StackUpdateError } from "../../automation/ports";
import { CLOUDFREE_PROGRAM, TEST_PASSPHRASE, withGreen } from "./cloudfreeStack";
import { BAD_VERSION, cf, ENGINE_TEST_MS, reconcile, useEngineStack } from "./engineStack";

/**
 * The StackEngine adapter on the real engine when things go wrong or drift: a failed update and
 * the next one, previews of a state override, refresh of a drifted region, a `file://` backend's
 * metadata sidecar left empty by a kill.
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

  describe("an empty metadata sidecar left by a kill (file:// backend)", () => {
    const stacks = (): string => path.join(cf.root, "backend", ".pulumi", "stacks", "regionctl");
    const checkpoint = (): string => path.join(stacks(), `${cf.engine.name}.json`);
    const sidecar = (): string => `${checkpoint()}.attrs`;
    const meta = (): string => path.join(cf.root, "backend", ".pulumi", "meta.yaml.attrs");

    async function reopen(notes: string[]): Promise<PulumiStackEngine> {
      return PulumiStackEngine.open({
        stack: cf.engine.name,
        binDir: inject("pulumiBinDir"),
        programDir: CLOUDFREE_PROGRAM,
        workDir: cf.engine.workDir,
        backendUrl: `file://${path.join(cf.root, "backend")}`,
        passphrase: TEST_PASSPHRASE,
        pulumiHome: path.join(cf.root, "pulumi-home"),
        onNote: (line) => notes.push(line),
      });
    }

    it(
      "is removed with a note when the checkpoint beside it is intact, and the stack works again",
      async () => {
        await writeFile(sidecar(), "");
        // What the engine does with it: the stack cannot be read at all.
        await expect(cf.engine.preview()).rejects.toThrow(/failed to load checkpoint: EOF/);
        await writeFile(meta(), "");

        const notes: string[] = [];
        const engine = await reopen(notes);
        expect(existsSync(sidecar()) || existsSync(meta())).toBe(false);
        expect(notes).toEqual([
          expect.stringMatching(new RegExp(`removed the empty metadata file ${meta()}, left by a kill`)),
          expect.stringMatching(
            new RegExp(
              `removed the empty metadata file ${sidecar()}, left by a kill .*; ${cf.engine.name}.json beside it is intact`,
            ),
          ),
        ]);
        await engine.preview({ expectNoChanges: true });
      },
      ENGINE_TEST_MS,
    );

    it(
      "is left alone when it is not empty, or when the checkpoint is damaged too",
      async () => {
        const good = await readFile(checkpoint(), "utf8");
        const torn = '{"user.metadata": {';
        await writeFile(sidecar(), torn);
        try {
          await expect(reopen([])).rejects.toThrow(/failed to load checkpoint/);
          expect(await readFile(sidecar(), "utf8")).toBe(torn);

          await writeFile(sidecar(), "");
          await writeFile(checkpoint(), good.slice(0, good.length / 2));
          const notes: string[] = [];
          await expect(reopen(notes)).rejects.toThrow(/failed to load checkpoint/);
          expect((await stat(sidecar())).size).toBe(0);
          expect(notes).toEqual([]);
        } finally {
          await writeFile(checkpoint(), good);
          await rm(sidecar(), { force: true });
        }
        await (await reopen([])).preview({ expectNoChanges: true });
      },
      ENGINE_TEST_MS,
    );
  });
});
