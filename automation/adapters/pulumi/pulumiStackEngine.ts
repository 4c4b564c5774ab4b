import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import {
  type ConfigMap,
  type EngineEvent,
  LocalWorkspace,
  type LocalWorkspaceOptions,
  type OutputMap,
  type ProjectSettings,
  Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";
import { parse as parseYaml } from "yaml";
import type { OperationalState } from "../../../components/operationalState";
import {
  type ChangeSummary,
  STATE_OVERRIDE_ENV,
  StackLockedError,
  type StackEngine,
  type StackHistoryEntry,
  type UpdateOptions,
  type UpdateResult,
} from "../../ports";
import { fileBackendDirectory, removeEmptySidecars } from "./emptySidecars";
import { translateEngineError } from "./engineErrors";
import { OWNER_PID_ENV, killOwnEngineProcesses, reapOrphanedEngineProcesses } from "./engineProcesses";
import { RunEvents } from "./engineEvents";
import { EventAnswers } from "./eventAnswers";
import { pinnedPulumiCommand } from "./pulumiCommand";
import { judgeStackLock, parseStackLocks } from "./staleStackLock";
import { pidAlive } from "../processAlive";
import {
  deploymentResources,
  regionUrns,
  resolveSelection,
  type ResolvedSelection,
  type StackIdentity,
  type StateResource,
} from "./regionSelection";

export interface PulumiStackEngineOptions {
  /** The stack, e.g. `dev` (selected, or created when missing). */
  readonly stack: string;
  /** The bin directory scripts/provide-pulumi.sh prints. */
  readonly binDir: string;
  /** The Pulumi program's directory (where its Pulumi.yaml is). Default: the working directory. */
  readonly programDir?: string;
  /**
   * Where the project file and `Pulumi.<stack>.yaml` live. Default: programDir. When it differs,
   * the engine writes a Pulumi.yaml there with the program's name and runtime and `main` pointing
   * at programDir, so one program can back stacks whose config lives elsewhere (tests, scratch).
   */
  readonly workDir?: string;
  /** PULUMI_BACKEND_URL, e.g. `file:///var/lib/regionctl/state` or `s3://bucket`. Default: the CLI's login. */
  readonly backendUrl?: string;
  /** PULUMI_CONFIG_PASSPHRASE for the passphrase secrets provider. Default: inherited from the environment. */
  readonly passphrase?: string;
  /** PULUMI_HOME. Default: the CLI's (~/.pulumi). */
  readonly pulumiHome?: string;
  /** More environment for every CLI run (e.g. PULUMI_NODEJS_TRANSPILE_ONLY). */
  readonly env?: Readonly<Record<string, string>>;
  readonly skipVersionCheck?: boolean;
  /**
   * Where the engine's own notes go: orphaned engine processes stopped, a stale stack lock
   * cancelled, an empty metadata sidecar of a `file://` backend removed. Default: nowhere.
   */
  readonly onNote?: (line: string) => void;
  /**
   * Lets a stack lock held on another machine be cancelled once it is older than the lease TTL
   * and the state store shows no live lease holder but this run (staleStackLock.ts). Absent: only
   * a lock whose holder on this machine is dead is cancelled.
   */
  readonly staleLock?: StaleLockLease;
}

/** What the engine needs to know of the environment's lease. */
export interface StaleLockLease {
  readonly leaseTtlMs: number;
  /** The holder of a live lease other than this run, or null when there is none. */
  readonly otherLeaseHolder: () => Promise<string | null>;
}

export interface EngineRunOptions extends UpdateOptions {
  /** Fail when the run changes anything (up) or would (preview). */
  readonly expectNoChanges?: boolean;
}

/** Config values by namespaced key. */
export type ConfigValues = Readonly<Record<string, unknown>>;

/** Progress comes from events; the CLI's own display would only cost time and pollute messages. */
const TEXT_OUTPUT = { color: "never" as const, suppressProgress: true };

/** What every engine command takes. */
interface CommonRunOptions {
  readonly color: "never";
  readonly suppressProgress: boolean;
  readonly target?: string[];
  readonly exclude?: string[];
  readonly message?: string;
  readonly onEvent: (event: EngineEvent) => void;
  readonly signal: AbortSignal;
}

/**
 * The controller's StackEngine on the Automation API: a LocalWorkspace over the provided CLI, one
 * stack. Targets and excludes given as regions become the URNs of each region's RegionStack
 * subtree (see regionSelection.ts). Failures become StackLockedError or StackUpdateError carrying
 * the engine's message; a fired AbortSignal interrupts the CLI, which finishes the resource
 * operations in flight, saves the state and releases the lock, and the call rejects with the
 * signal's reason.
 */
export class PulumiStackEngine implements StackEngine {
  private constructor(
    private readonly stack: Stack,
    private readonly identity: StackIdentity,
    private readonly answers: EventAnswers,
    /** How the workspace was made, for the short-lived ones a state-override preview needs. */
    private readonly workspaceOptions: LocalWorkspaceOptions,
    private readonly note: (line: string) => void,
    private readonly staleLock: StaleLockLease | undefined,
  ) {}

  static async open(options: PulumiStackEngineOptions): Promise<PulumiStackEngine> {
    const programDir = path.resolve(options.programDir ?? ".");
    const workDir = path.resolve(options.workDir ?? programDir);
    const project = await readProjectSettings(programDir);
    // Every engine process carries its owner, so a regionctl killed mid-update leaves processes the
    // next one recognises as orphans (engineProcesses.ts).
    const env: Record<string, string> = {
      PULUMI_SKIP_UPDATE_CHECK: "true",
      [OWNER_PID_ENV]: String(process.pid),
    };
    watchOwnEngineProcesses();
    await reapOrphanedEngineProcesses({ note: options.onNote });
    if (options.backendUrl !== undefined) env.PULUMI_BACKEND_URL = options.backendUrl;
    // Before the stack is selected: selecting reads the checkpoint, which an empty sidecar blocks.
    const backendDir = fileBackendDirectory(
      options.backendUrl ?? options.env?.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL,
    );
    if (backendDir !== null) await removeEmptySidecars(backendDir, options.onNote);
    if (options.passphrase !== undefined) env.PULUMI_CONFIG_PASSPHRASE = options.passphrase;

    const workspaceOptions: LocalWorkspaceOptions = {
      workDir,
      pulumiHome: options.pulumiHome,
      pulumiCommand: await pinnedPulumiCommand(options.binDir, options.skipVersionCheck),
      envVars: { ...env, ...options.env },
    };
    const workspace = await LocalWorkspace.create({
      ...workspaceOptions,
      projectSettings:
        workDir === programDir
          ? undefined
          : { ...project, main: path.resolve(programDir, project.main ?? ".") },
    });
    const stack = await Stack.createOrSelect(options.stack, workspace);
    const shortName = options.stack.slice(options.stack.lastIndexOf("/") + 1);
    return new PulumiStackEngine(
      stack,
      { stack: shortName, project: project.name },
      new EventAnswers(workspace, stack),
      workspaceOptions,
      options.onNote ?? (() => undefined),
      options.staleLock,
    );
  }

  /** The stack's name as it was selected. */
  get name(): string {
    return this.stack.name;
  }

  /** The folder holding Pulumi.yaml and the stack's config file. */
  get workDir(): string {
    return this.stack.workspace.workDir;
  }

  /**
   * Sets config values (keys with their namespace, e.g. `regionctl:regions`) in one CLI run:
   * strings as they are, anything else as structured YAML in the stack's config file.
   */
  async setConfig(values: ConfigValues, options: { readonly secret?: boolean } = {}): Promise<void> {
    const secret = options.secret ?? false;
    const json: Record<string, { value: string; objectValue?: unknown; secret: boolean }> = {};
    for (const [key, value] of Object.entries(values)) {
      // The CLI cannot encrypt a structured value given as JSON, so a secret object is stored as
      // its JSON text, which the program's getObject() reads just the same.
      const structured = typeof value === "object" && value !== null && !secret;
      json[key] = {
        value: typeof value === "string" ? value : JSON.stringify(value),
        objectValue: structured ? value : undefined,
        secret,
      };
    }
    await this.stack.workspace.setAllConfigJson(this.stack.name, JSON.stringify(json));
  }

  /** Sets config values encrypted with the stack's secrets provider. */
  async setSecrets(values: ConfigValues): Promise<void> {
    await this.setConfig(values, { secret: true });
  }

  /** The stack's config as the CLI reports it (secret values decrypted). */
  async config(): Promise<ConfigMap> {
    return this.stack.getAllConfig();
  }

  /**
   * What an update would change. With `stateOverride` the program renders that state instead of
   * the stored one: it is written to a temporary file named in STATE_OVERRIDE_ENV, for this
   * preview's CLI run only.
   */
  async preview(options: EngineRunOptions = {}): Promise<ChangeSummary> {
    const run = await this.run(options, async (common, events) => {
      const preview = async (stack: Stack): Promise<ChangeSummary> => {
        const result = await stack.preview({ ...common, expectNoChanges: options.expectNoChanges });
        return summaryOf(events, result.changeSummary);
      };
      return options.stateOverride === undefined
        ? preview(this.stack)
        : this.withStateOverride(options.stateOverride, preview);
    });
    return run ?? { changes: {}, steps: [] };
  }

  async up(options: EngineRunOptions = {}): Promise<UpdateResult> {
    const started = Date.now();
    const run = await this.run(options, async (common, events) => {
      const up = (): Promise<UpResult> =>
        // A refreshing up re-reads the cloud first, so a resource deleted outside Pulumi (a
        // secondary cluster that dropped out of the global database) is re-created.
        this.stack.up({ ...common, expectNoChanges: options.expectNoChanges, refresh: options.refresh });
      const result = await this.answers.during(events, "update", options.message, up);
      return {
        changes: events.changes ?? result.summary.resourceChanges ?? {},
        outputs: outputValues(result.outputs),
      };
    });
    const { changes, outputs } = run ?? { changes: {}, outputs: await this.outputs() };
    return { changes, outputs, durationMs: Date.now() - started };
  }

  async refresh(options: UpdateOptions = {}): Promise<ChangeSummary> {
    const run = await this.run(options, async (common, events) => {
      const result = await this.answers.during(events, "refresh", options.message, () =>
        this.stack.refresh(common),
      );
      return summaryOf(events, result.summary.resourceChanges ?? {});
    });
    return run ?? { changes: {}, steps: [] };
  }

  async outputs(): Promise<Record<string, unknown>> {
    return outputValues(await this.stack.outputs());
  }

  async history(limit = 20): Promise<StackHistoryEntry[]> {
    const entries = await this.stack.history(limit, 1, false);
    return entries.map((e) => ({
      version: e.version,
      kind: e.kind,
      result: e.result,
      startTime: new Date(e.startTime).toISOString(),
      message: e.message,
    }));
  }

  /** The resources of the stack's current deployment (`pulumi stack export`). */
  async resources(): Promise<StateResource[]> {
    const exported = await this.stack.exportStack();
    return deploymentResources(exported.deployment);
  }

  /** The URNs (and patterns for what is not in state yet) that stand for one region. */
  async regionUrns(region: string): Promise<string[]> {
    return regionUrns(await this.resources(), this.identity, region);
  }

  /**
   * Another workspace on the same stack whose commands name `state` in STATE_OVERRIDE_ENV: the
   * engine's own workspace never carries it, so an update running meanwhile cannot pick it up.
   */
  private async withStateOverride<T>(state: OperationalState, fn: (stack: Stack) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(tmpdir(), "regionctl-state-override-"));
    try {
      const file = path.join(dir, "state.json");
      await writeFile(file, JSON.stringify(state));
      const workspace = await LocalWorkspace.create({
        ...this.workspaceOptions,
        envVars: { ...this.workspaceOptions.envVars, [STATE_OVERRIDE_ENV]: file },
      });
      return await fn(await Stack.select(this.stack.name, workspace));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Runs one engine command with the options every command shares; null when the selection leaves
   * nothing to do. Errors come back translated (see engineErrors.ts).
   */
  private async run<T>(
    options: UpdateOptions,
    command: (common: CommonRunOptions, events: RunEvents) => Promise<T>,
  ): Promise<T | null> {
    options.signal?.throwIfAborted();
    const selection = await this.resolve(options);
    if (selection.empty) return null;
    const events = new RunEvents(options.onProgress);
    // The SDK never removes its abort listener, so a signal shared by a whole operation would
    // collect one per command; it gets a signal of its own that lives as long as this command.
    const local = new AbortController();
    const forward = (): void => local.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", forward, { once: true });
    const once = (): Promise<T> =>
      command(
        {
          ...TEXT_OUTPUT,
          target: selection.target && [...selection.target],
          exclude: selection.exclude && [...selection.exclude],
          message: options.message,
          onEvent: events.handle,
          signal: local.signal,
        },
        events,
      ).catch((err: unknown) => {
        throw translateEngineError(err, this.stack.name, events.errors, options.signal);
      });
    try {
      try {
        return await once();
      } catch (err) {
        if (!(err instanceof StackLockedError) || !(await this.cancelDeadLock(err))) throw err;
        return await once();
      }
    } finally {
      options.signal?.removeEventListener("abort", forward);
    }
  }

  /**
   * A lock left by a killed run: first the engine processes it orphaned are stopped (they may be
   * the holder, and an interrupted CLI releases its lock itself); then a lock judged stale
   * (staleStackLock.ts: its holders here are dead, or it outlived the lease elsewhere with no live
   * lease holder) is cancelled, as `pulumi cancel` does, with a note. Returns true when the command
   * should be tried again. A lock held by a live process, or under a live lease, is never broken.
   */
  private async cancelDeadLock(err: StackLockedError): Promise<boolean> {
    const reaped = await reapOrphanedEngineProcesses({ note: this.note });
    const locks = parseStackLocks(err.message);
    const verdict = judgeStackLock({
      locks,
      now: Date.now(),
      thisHost: hostname(),
      pidAlive,
      leaseTtlMs: this.staleLock?.leaseTtlMs,
      otherLeaseHolder: await this.staleLock?.otherLeaseHolder(),
    });
    if (!verdict.cancel) return reaped.length > 0;
    this.note(
      `stack ${this.stack.name} is locked by ${locks.map((h) => `pid ${h.pid} on ${h.host}`).join(", ")}, ${verdict.why}: cancelling the lock (pulumi cancel) and retrying`,
    );
    await this.stack.cancel();
    return true;
  }

  private async resolve(options: UpdateOptions): Promise<ResolvedSelection> {
    const { targets, excludes } = options;
    const needsState = (targets?.regions?.length ?? 0) > 0 || (excludes?.regions?.length ?? 0) > 0;
    const resources = needsState ? await this.resources() : [];
    return resolveSelection(targets, excludes, resources, this.identity);
  }
}

async function readProjectSettings(programDir: string): Promise<ProjectSettings> {
  const file = path.join(programDir, "Pulumi.yaml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new Error(`no Pulumi project in ${programDir}: ${(err as Error).message}`);
  }
  const settings = parseYaml(text) as ProjectSettings | null;
  if (typeof settings?.name !== "string" || settings.runtime === undefined) {
    throw new Error(`${file} must name the project and its runtime`);
  }
  return settings;
}

function outputValues(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

function summaryOf(events: RunEvents, fallback: Readonly<Record<string, number>>): ChangeSummary {
  return { changes: events.changes ?? { ...fallback }, steps: events.steps };
}

let watching = false;

/** On exit, however it comes, this process's engine processes go with it. */
function watchOwnEngineProcesses(): void {
  if (watching) return;
  watching = true;
  process.once("exit", () => {
    killOwnEngineProcesses();
  });
}
