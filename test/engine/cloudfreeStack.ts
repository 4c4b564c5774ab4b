import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type EnvironmentConfig, parseConfig } from "../../components/config";
import { initialState, type OperationalState, type RegionState } from "../../components/operationalState";
import { FileStateStore } from "../../automation/adapters/state/fileStateStore";
import { PulumiStackEngine } from "../../automation/adapters/pulumi/pulumiStackEngine";
import { sampleRawConfig, type SampleConfigOptions } from "../support/sampleConfig";

/**
 * One stack of the cloud-free program on the real engine, in a temporary directory: a `file://`
 * backend, its own PULUMI_HOME, the stack's config file, the operational state store and the fake
 * cloud's resource files. Nothing is written inside the repository.
 */

export const CLOUDFREE_PROGRAM = path.resolve(__dirname, "../fixtures/cloudfree");
export const TEST_PASSPHRASE = "regionctl-engine-tests";

/** A resource of the stack's exported deployment, with what the tests compare. */
export interface DeployedResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
  /** True for resources a provider manages; false or absent for components and the root stack. */
  readonly custom?: boolean;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

export interface CloudfreeStack {
  readonly engine: PulumiStackEngine;
  /** The environment config the stack was given, parsed as the program parses it. */
  readonly config: EnvironmentConfig;
  readonly root: string;
  readonly resourceDir: string;
  readonly store: FileStateStore;
  /** Writes the operational state document the program reads. */
  writeState(state: OperationalState): Promise<void>;
  readState(): Promise<OperationalState>;
  /** Changes some regions of the stored state. */
  patchRegions(patch: Readonly<Record<string, Partial<RegionState>>>): Promise<OperationalState>;
  /** The exported deployment, by resource name. */
  deployed(): Promise<Map<string, DeployedResource>>;
  /** Lines of the fake cloud's operation log, oldest first. */
  operations(): Promise<{ op: string; name: string; props: Record<string, unknown> }[]>;
  dispose(): Promise<void>;
}

export interface CloudfreeStackOptions extends SampleConfigOptions {
  readonly binDir: string;
  readonly stack?: string;
  /** Extra `cloudfree:` / `regionctl:` keys. */
  readonly config?: Readonly<Record<string, unknown>>;
}

export async function openCloudfreeStack(options: CloudfreeStackOptions): Promise<CloudfreeStack> {
  const root = await mkdtemp(path.join(tmpdir(), "regionctl-engine-"));
  const dirs = {
    backend: path.join(root, "backend"),
    home: path.join(root, "pulumi-home"),
    work: path.join(root, "work"),
    state: path.join(root, "state"),
    resources: path.join(root, "cloud"),
  };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  const stack = options.stack ?? "test";

  const raw = sampleRawConfig({ ...options, stateStore: { kind: "file", directory: dirs.state } });
  const config = parseConfig(raw);
  const engine = await PulumiStackEngine.open({
    stack,
    binDir: options.binDir,
    programDir: CLOUDFREE_PROGRAM,
    workDir: dirs.work,
    backendUrl: `file://${dirs.backend}`,
    passphrase: TEST_PASSPHRASE,
    pulumiHome: dirs.home,
  });
  await engine.setConfig({
    ...Object.fromEntries(Object.entries(raw).map(([k, v]) => [`regionctl:${k}`, v])),
    "cloudfree:resourceDir": dirs.resources,
    ...options.config,
  });

  const store = new FileStateStore({ stack, directory: dirs.state });
  const readState = async (): Promise<OperationalState> =>
    (await store.read())?.state ?? initialState(config);
  const writeState = async (state: OperationalState): Promise<void> => {
    const current = await store.read();
    await store.write({ ...state, revision: (current?.state.revision ?? 0) + 1 }, current?.etag ?? null);
  };
  await writeState(initialState(config));

  return {
    engine,
    config,
    root,
    resourceDir: dirs.resources,
    store,
    writeState,
    readState,
    async patchRegions(patch) {
      const state = await readState();
      const regions = { ...state.regions };
      for (const [region, change] of Object.entries(patch)) {
        regions[region] = { ...regions[region], ...change };
      }
      const next = { ...state, regions };
      await writeState(next);
      return next;
    },
    async deployed() {
      const resources = (await engine.resources()) as DeployedResource[];
      return new Map(resources.map((r) => [r.urn.slice(r.urn.lastIndexOf("::") + 2), r]));
    },
    async operations() {
      const text = await readFile(path.join(dirs.resources, "operations.jsonl"), "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { op: string; name: string; props: Record<string, unknown> });
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A region whose green slot runs `version` beside blue, as a blue-green promotion stages it. */
export function withGreen(state: OperationalState, region: string, version: string): Partial<RegionState> {
  const current = state.regions[region];
  return { slots: { ...current.slots, green: { version, replicas: current.slots.blue?.replicas ?? 1 } } };
}
