import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import * as path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import {
  ConfigError,
  type ConfigIssue,
  type EnvironmentConfig,
  rawConfigFromStackConfig,
  validateConfig,
} from "../components/config";
import { arcRoutingControlsFromStack } from "./adapters/aws/arcRoutingControls";
import { cloudWatchLag } from "./adapters/aws/cloudwatchLag";
import { rdsGlobalDatabase } from "./adapters/aws/rdsGlobalDatabase";
import { rdsMemberClusters } from "./adapters/aws/rdsMemberClusters";
import { secretsManagerDatabaseSecret } from "./adapters/aws/secretsManagerDatabaseSecret";
import { databaseSecretName } from "../components/auroraSettings";
import { createRegionalClients } from "./adapters/aws/regionalClients";
import { route53CheckerFractions } from "./adapters/aws/route53HealthChecks";
import { type RoutingView, listRecordSets, routingView } from "./adapters/aws/route53Records";
import { createHealthSource } from "./adapters/http/healthSource";
import { HttpProbe } from "./adapters/http/httpProbe";
import { kubernetesSyncJobs } from "./adapters/k8s/syncJobs";
import { CloudWatchMetrics } from "./adapters/metrics/cloudWatchMetrics";
import { PrometheusMetrics } from "./adapters/metrics/prometheusMetrics";
import { killOwnEngineProcesses } from "./adapters/pulumi/engineProcesses";
import { providePulumiBinDir } from "./adapters/pulumi/pulumiCommand";
import { leaseForStaleLocks } from "./adapters/pulumi/leaseForStaleLocks";
import { PulumiStackEngine } from "./adapters/pulumi/pulumiStackEngine";
import { openLeadershipStore, openStateStore } from "./adapters/state/openStateStore";
import { openVantageBoard } from "./adapters/vantage/openVantageBoard";
import { withConfigHints } from "./configHints";
import { withStateIdentity } from "./adapters/state/stateIdentity";
import { storeDirectoryProblems } from "./adapters/state/storeDirectory";
import { lazyStackEngine } from "./lazyStackEngine";
import { PROGRAM_PORTS_FILE, localProgramPorts } from "./localProgramPorts";
import { UsageError } from "./errors";
import { packageRoot } from "./packageRoot";
import { systemClock } from "./executor/systemClock";
import { DEFAULT_LEASE_TTL_MS } from "./executor";
import { holderName } from "./leaseHolder";
import type {
  Clock,
  HealthSource,
  MetricsSource,
  Ports,
  RegionEndpoint,
  StackEngine,
  StateStore,
} from "./ports";
import type { VantageBoard } from "./watch/vantageBoard";

/**
 * The CLI's composition root: finds and validates the environment's config, and builds the real
 * ports from the adapters. Commands call `loadEnvironment` then `openPorts`; tests swap the ports
 * for in-memory ones with `setPortsFactory`.
 */

export interface LoadedEnvironment {
  /** Pulumi stack name (also the file store's document name). */
  readonly stack: string;
  readonly configFile: string;
  /** Where the stack file lives: the Pulumi project directory, and the base of a relative state directory. */
  readonly projectDir: string;
  readonly config: EnvironmentConfig;
  /** The stack file's `config:` values by namespaced key, as written. */
  readonly stackConfig: Readonly<Record<string, unknown>>;
  /**
   * `--program DIR`: run that Pulumi program locally with the ports its `regionctl.ports.ts`
   * gives, instead of the AWS program and adapters. Absolute.
   */
  readonly program?: string;
}

export interface LoadOptions {
  readonly stack?: string;
  /** A stack file (`Pulumi.<stack>.yaml` layout) to read instead of the stack's own. */
  readonly configFile?: string;
  readonly cwd?: string;
  /** A Pulumi program directory with a `regionctl.ports.ts` (see LoadedEnvironment.program). */
  readonly program?: string;
}

/** Environment variable: use Prometheus at this URL for canary metrics instead of CloudWatch. */
export const PROMETHEUS_URL_ENV = "REGIONCTL_PROMETHEUS_URL";

const STACK_FILE = /^Pulumi\.([^.]+)\.ya?ml$/;

/**
 * Reads `--config FILE`, or `Pulumi.<stack>.yaml` in the working directory, or the only stack file
 * there. Validation problems throw ConfigError listing every one of them (exit 2).
 */
export async function loadEnvironment(options: LoadOptions): Promise<LoadedEnvironment> {
  const cwd = options.cwd ?? process.cwd();
  const configFile = path.resolve(cwd, options.configFile ?? (await defaultStackFile(cwd, options.stack)));
  let text: string;
  try {
    text = await readFile(configFile, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `no stack file at ${configFile}`
        : `cannot read ${configFile}: ${(err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${configFile} is not valid YAML: ${(err as Error).message}`);
  }
  const stackConfig = (doc as { config?: unknown } | null)?.config;
  if (typeof stackConfig !== "object" || stackConfig === null || Array.isArray(stackConfig)) {
    throw new UsageError(`${configFile} has no \`config:\` map with regionctl settings`);
  }
  const result = validateConfig(rawConfigFromStackConfig(stackConfig as Record<string, unknown>));
  if (!result.ok) {
    throw new ConfigError(withConfigHints(result.issues));
  }
  const projectDir = path.dirname(configFile);
  const store = result.config.stateStore;
  const config: EnvironmentConfig =
    store.kind === "file"
      ? { ...result.config, stateStore: { ...store, directory: path.resolve(projectDir, store.directory) } }
      : result.config;
  const program = options.program === undefined ? undefined : path.resolve(cwd, options.program);
  const problems = [
    ...(program === undefined ? [] : programProblems(program, config)),
    ...(config.stateStore.kind === "file"
      ? storeDirectoryProblems(config.stateStore.directory, "stateStore.directory")
      : []),
  ];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const fromName = STACK_FILE.exec(path.basename(configFile))?.[1];
  return {
    stack: options.stack ?? fromName ?? result.config.environment,
    configFile,
    projectDir,
    config,
    stackConfig: stackConfig as Record<string, unknown>,
    program,
  };
}

function programProblems(program: string, config: EnvironmentConfig): ConfigIssue[] {
  const problems: ConfigIssue[] = [];
  if (!existsSync(path.join(program, "Pulumi.yaml"))) {
    problems.push({
      path: "--program",
      message: `${program} has no Pulumi.yaml; name a Pulumi program's folder`,
    });
  }
  if (!existsSync(path.join(program, PROGRAM_PORTS_FILE))) {
    problems.push({
      path: "--program",
      message: `${program} has no ${PROGRAM_PORTS_FILE} exporting openPorts (the ports its resources answer to)`,
    });
  }
  if (config.stateStore.kind !== "file") {
    problems.push({
      path: "stateStore.kind",
      message: "--program runs on this machine and keeps its engine beside the state; use `kind: file`",
    });
  }
  return problems;
}

async function defaultStackFile(cwd: string, stack: string | undefined): Promise<string> {
  if (stack !== undefined) return `Pulumi.${stack}.yaml`;
  const files = (await readdir(cwd).catch(() => [] as string[])).filter((f) => STACK_FILE.test(f));
  if (files.length === 1) return files[0];
  throw new UsageError(
    files.length === 0
      ? "no stack file here: pass --stack NAME (reads Pulumi.NAME.yaml) or --config FILE"
      : `several stack files here (${files.join(", ")}): pass --stack NAME or --config FILE`,
  );
}

export type PortsFactory = (env: LoadedEnvironment) => Promise<Ports>;

let factory: PortsFactory = realPorts;

/** Replaces how ports are built (tests); returns a function that restores the previous factory. */
export function setPortsFactory(next: PortsFactory): () => void {
  const previous = factory;
  factory = next;
  return () => {
    factory = previous;
  };
}

/** The ports a command uses; its state store refuses another environment's document (exit 2). */
export async function openPorts(env: LoadedEnvironment): Promise<Ports> {
  const ports = await factory(env);
  return {
    ...ports,
    state: withStateIdentity(ports.state, {
      environment: env.config.environment,
      stack: env.stack,
      regions: env.config.regions.map((r) => r.region),
      configFile: env.configFile,
    }),
  };
}

/** Kills this process's engine processes now (a second Ctrl-C); returns how many. */
/** Where watcher replicas keep their leadership lease and share their verdicts. */
export interface ReplicaStores {
  readonly leaders: StateStore;
  readonly board: VantageBoard;
}

/**
 * The leadership lease and the vantage board beside the state, in the store the config names;
 * `voters` are the replicas whose verdicts are read.
 */
export function openReplicaStores(
  env: LoadedEnvironment,
  voters: readonly string[],
  clock: Clock,
): ReplicaStores {
  const { config } = env;
  const options = {
    baseDirectory: env.projectDir,
    now: () => clock.now(),
    defaultRegion: config.awsRegion ?? config.writer,
  };
  return {
    leaders: openLeadershipStore(config.stateStore, env.stack, config.environment, options),
    board: openVantageBoard(config.stateStore, env.stack, config.environment, voters, options),
  };
}

export function stopEngineNow(): number {
  return killOwnEngineProcesses().length;
}

/** The repository holding the regionctl program (index.ts, Pulumi.yaml) and scripts/. */
const REPO_ROOT = packageRoot();

/**
 * Real adapters. Nothing here touches the network until a port is used, and the Pulumi engine
 * (which may have to provide the CLI first) opens only when a command needs the stack.
 */
export async function realPorts(env: LoadedEnvironment): Promise<Ports> {
  if (env.program !== undefined)
    return localProgramPorts(env, env.program, REPO_ROOT, (line) => process.stderr.write(`${line}\n`));
  const { config } = env;
  const clock: Clock = systemClock;
  const clients = createRegionalClients();
  const state = openStateStore(config.stateStore, env.stack, config.environment, {
    baseDirectory: env.projectDir,
    now: () => clock.now(),
    defaultRegion: config.awsRegion ?? config.writer,
  });
  const stack = lazyStackEngine(async () =>
    PulumiStackEngine.open({
      stack: env.stack,
      binDir: await providePulumiBinDir(REPO_ROOT),
      programDir: REPO_ROOT,
      workDir: env.projectDir,
      onNote: (line) => process.stderr.write(`${line}\n`),
      staleLock: leaseForStaleLocks(state, {
        leaseTtlMs: DEFAULT_LEASE_TTL_MS,
        self: holderName(),
        now: () => clock.now(),
      }),
    }),
  );
  const timeoutMs = config.dns.healthCheck.timeoutSeconds * 1000;
  const health = withHealthCheckIds(
    createHealthSource({
      probe: new HttpProbe({ timeoutMs }),
      checkers: route53CheckerFractions(clients.route53()),
      timeoutMs,
      now: () => clock.now(),
    }),
    stack,
  );
  const database = rdsGlobalDatabase({
    globalClusterId: `${config.environment}-global`,
    clusterIdentifier: (region) => `${config.environment}-${region}`,
    rds: (region) => clients.rds(region),
    lag: cloudWatchLag({ cloudwatch: (region) => clients.cloudwatch(region), now: () => clock.now() }),
  });
  const clusters = rdsMemberClusters({
    clusterIdentifier: (region) => `${config.environment}-${region}`,
    rds: (region) => clients.rds(region),
  });
  // The secret lives in the global provider's region, which does not follow the writer.
  const secretRegion = config.awsRegion ?? config.writer;
  const secret = secretsManagerDatabaseSecret({
    secretId: databaseSecretName(config.environment),
    region: secretRegion,
    client: clients.secretsManager(secretRegion),
  });
  const sync = kubernetesSyncJobs({
    kubeConfig: (region) => kubeConfigFor(config, region),
    namespace: config.app.namespace ?? config.environment,
    clock,
  });
  // The cluster's endpoints and routing control ARNs come from the stack's `arc` output.
  const traffic =
    config.dns.control === "arc"
      ? arcRoutingControlsFromStack(
          config.regions.map((r) => r.region),
          () => stack.outputs(),
        )
      : undefined;
  // Resolving the credentials once is enough: a CredentialsProviderError names the missing setup.
  const preflight = async (): Promise<void> => {
    await clients.route53().config.credentials();
    // Read the ARC cluster's endpoints while the Pulumi backend answers, so a later outage of the
    // backend's region does not stand between the watcher and a flip; a failed read is tried again
    // at the first flip.
    await traffic?.open().catch((err: unknown) => {
      process.stderr.write(
        `warning: the ARC routing controls are not open yet (${err instanceof Error ? err.message : String(err)}); they are read from the stack's outputs at the first traffic move\n`,
      );
    });
  };
  return {
    clock,
    state,
    stack,
    health,
    metrics: metricsSource(config, clients),
    database,
    sync,
    clusters,
    secret,
    ...(traffic === undefined ? {} : { traffic }),
    preflight,
  };
}

function metricsSource(
  config: EnvironmentConfig,
  clients: ReturnType<typeof createRegionalClients>,
): MetricsSource {
  const prometheus = process.env[PROMETHEUS_URL_ENV];
  if (prometheus !== undefined && prometheus !== "") {
    return new PrometheusMetrics({ url: prometheus });
  }
  return new CloudWatchMetrics({
    environment: config.environment,
    clientFor: (region) => clients.cloudwatch(region),
  });
}

function kubeConfigFor(config: EnvironmentConfig, region: string): KubeConfig {
  const r = config.regions.find((x) => x.region === region);
  const kc = new KubeConfig();
  if (typeof r?.kubeconfig === "string") {
    kc.loadFromString(r.kubeconfig);
  } else if (r?.kubeContext !== undefined) {
    kc.loadFromDefault();
    kc.setCurrentContext(r.kubeContext);
  } else {
    // A `secure:` kubeconfig is encrypted with the stack's secrets provider; only Pulumi can read it.
    throw new Error(`${region}'s kubeconfig is a Pulumi secret; give the controller a kubeContext for it`);
  }
  return kc;
}

/**
 * Fills each endpoint's Route 53 health check id from the stack's `regions` output (read once), so
 * the health source can ask Route 53's checkers as well as probing directly. Without the output
 * (a stack never deployed), the probes decide alone.
 */
export function withHealthCheckIds(health: HealthSource, stack: StackEngine): HealthSource {
  let ids: Promise<Map<string, string>> | undefined;
  const lookup = (): Promise<Map<string, string>> =>
    (ids ??= stack.outputs().then(
      (outputs) => {
        const regions = (outputs.regions ?? {}) as Record<string, { healthCheckId?: unknown } | undefined>;
        return new Map(
          Object.entries(regions).flatMap(([region, o]) =>
            typeof o?.healthCheckId === "string" ? [[region, o.healthCheckId] as const] : [],
          ),
        );
      },
      () => new Map<string, string>(),
    ));
  return {
    async observe(regions: readonly RegionEndpoint[], signal?: AbortSignal) {
      const known = await lookup();
      return health.observe(
        regions.map((r) => ({ ...r, healthCheckId: r.healthCheckId ?? known.get(r.region) })),
        signal,
      );
    },
  };
}

export type { RoutingView };

/** Where Route 53 sends clients now, read from the live records of the environment's name. */
export async function readLiveRouting(config: EnvironmentConfig): Promise<RoutingView> {
  return routingView(
    await listRecordSets(createRegionalClients().route53(), config.dns.zoneId, config.dns.name),
  );
}
