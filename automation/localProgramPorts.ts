import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { providePulumiBinDir } from "./adapters/pulumi/pulumiCommand";
import { leaseForStaleLocks } from "./adapters/pulumi/leaseForStaleLocks";
import { PulumiStackEngine } from "./adapters/pulumi/pulumiStackEngine";
import { openStateStore } from "./adapters/state/openStateStore";
import { withStateIdentity } from "./adapters/state/stateIdentity";
import type { LoadedEnvironment } from "./context";
import { lazyStackEngine } from "./lazyStackEngine";
import { systemClock } from "./executor/systemClock";
import { DEFAULT_LEASE_TTL_MS } from "./executor";
import { holderName } from "./leaseHolder";
import type { OpenProgramPorts, Ports } from "./ports";

/**
 * Part of the composition root: the ports for `--program DIR`. The program runs on the real engine
 * with a `file://` backend, its own Pulumi home and work folder, all kept in `engine/` inside the
 * environment's state folder, so nothing is written where the command runs and no cloud account or
 * login is needed. The program's `regionctl.ports.ts` supplies health, metrics, database and sync.
 */

/** The module a program run with `--program` keeps beside its Pulumi.yaml. */
export const PROGRAM_PORTS_FILE = "regionctl.ports.ts";

/** Passphrase for the local stack's secrets when PULUMI_CONFIG_PASSPHRASE is unset. */
export const LOCAL_PASSPHRASE = "regionctl-local";

export interface LocalEngineDirs {
  readonly backend: string;
  readonly home: string;
  readonly work: string;
}

/** Where a local program's engine keeps its files, inside the state folder. */
export function localEngineDirs(stateDirectory: string): LocalEngineDirs {
  const root = path.join(stateDirectory, "engine");
  return {
    backend: path.join(root, "backend"),
    home: path.join(root, "pulumi-home"),
    work: path.join(root, "work"),
  };
}

export async function localProgramPorts(
  env: LoadedEnvironment,
  program: string,
  repoRoot: string,
  onNote?: (line: string) => void,
): Promise<Ports> {
  const { config } = env;
  if (config.stateStore.kind !== "file") {
    throw new Error("--program needs a file state store (checked when the environment loads)");
  }
  const stateDirectory = config.stateStore.directory;
  const clock = systemClock;
  const state = openStateStore(config.stateStore, env.stack, config.environment, {
    now: () => clock.now(),
  });
  const provisioned = path.join(stateDirectory, "engine", "provisioned");
  const stack = lazyStackEngine(async () => {
    const dirs = localEngineDirs(stateDirectory);
    await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
    const engine = await PulumiStackEngine.open({
      stack: env.stack,
      binDir: await providePulumiBinDir(repoRoot),
      programDir: program,
      workDir: dirs.work,
      // No metadata sidecars: the file backend writes each object's `.attrs` file in place, not
      // by rename, so a kill during that write leaves an empty sidecar that makes the checkpoint
      // unreadable ("failed to load checkpoint: EOF") and blocks every later command.
      backendUrl: `file://${dirs.backend}?metadata=skip`,
      passphrase: process.env.PULUMI_CONFIG_PASSPHRASE ?? LOCAL_PASSPHRASE,
      pulumiHome: dirs.home,
      onNote,
      staleLock: leaseForStaleLocks(state, {
        leaseTtlMs: DEFAULT_LEASE_TTL_MS,
        self: holderName(),
        now: () => clock.now(),
      }),
    });
    // The stack file stays the one source: the engine's copy is refreshed from it on every open,
    // with the state folder absolute so the program reads the document the controller writes.
    await engine.setConfig(localStackConfig(env.stackConfig, stateDirectory));
    // A region's update targets its own resources only, so the global ones must exist first: the
    // first use provisions the whole stack, as `pulumi up` does for an AWS environment.
    if (!existsSync(provisioned)) {
      onNote?.("provisioning the local stack (first use)");
      await engine.up({ message: "regionctl: provision the local stack" });
      await writeFile(provisioned, new Date().toISOString());
    }
    return engine;
  });
  // The ports file is TypeScript even when the CLI itself runs compiled (an installed package, or a
  // clone after `npm run build`), so the CommonJS TypeScript loader is registered either way; it is
  // a no-op when the CLI already runs on it. require, not import(): import() bypasses that loader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("tsx/cjs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const open = require(path.join(program, PROGRAM_PORTS_FILE)) as {
    openPorts?: OpenProgramPorts;
    default?: { openPorts?: OpenProgramPorts };
  };
  const openPorts = open.openPorts ?? open.default?.openPorts;
  if (typeof openPorts !== "function") {
    throw new Error(`${path.join(program, PROGRAM_PORTS_FILE)} does not export openPorts`);
  }
  const own = await openPorts({ config, stackConfig: env.stackConfig, stack: env.stack, clock });
  // Provisioned before the command reads or writes anything, so the stack renders the state as it
  // was, never an operation's first half.
  if (!existsSync(provisioned)) {
    // A document that is not this environment's is refused before the engine writes anything.
    await withStateIdentity(state, {
      environment: config.environment,
      stack: env.stack,
      regions: config.regions.map((r) => r.region),
      configFile: env.configFile,
    }).read();
    await stack.outputs();
  }
  return { clock, state, stack, ...own };
}

/** The stack file's values as the local engine gets them. */
export function localStackConfig(
  values: Readonly<Record<string, unknown>>,
  stateDirectory: string,
): Record<string, unknown> {
  const store = values["regionctl:stateStore"];
  return {
    ...values,
    "regionctl:stateStore": {
      ...(typeof store === "object" && store !== null ? store : { kind: "file" }),
      directory: stateDirectory,
    },
  };
}
