import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { vi } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { loadBalancerStatus } from "../../policy/offline/mockState";

/**
 * A recording Pulumi mock runtime. It records every resource registration with what the engine
 * would see (type, name, URN, parent, provider, inputs with their secretness, dependencies,
 * ignoreChanges) and every invoke; an invoke with no handler fails the run, so a program cannot
 * quietly start calling cloud APIs at plan time. `runProgram` runs the real index.ts for a config
 * object and an operational state.
 */

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Filled in once the registration completes. */
  urn: string;
  readonly id: string;
  /** The parent's URN; undefined for top-level resources. */
  readonly parent: string | undefined;
  readonly custom: boolean;
  /** Provider reference `<provider urn>::<provider id>`; undefined for a default provider or a component. */
  readonly provider: string | undefined;
  /** Inputs with secrets unwrapped. */
  readonly inputs: Record<string, Json>;
  /** Top-level input keys the program passed as secrets. */
  readonly secretInputs: readonly string[];
  /** URNs the resource depends on (dependsOn and input dependencies). */
  readonly dependencies: readonly string[];
  readonly ignoreChanges: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  readonly protect: boolean;
}

export interface RecordedInvoke {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
  readonly provider: string | undefined;
}

export type InvokeHandler = (inputs: Record<string, unknown>) => Record<string, unknown>;
/** Extra output state for resources of one type, beyond the inputs and the defaults below. */
export type StateHandler = (
  resource: RecordedResource,
  region: string | undefined,
) => Record<string, unknown>;

export interface RecorderOptions {
  readonly invokes?: Readonly<Record<string, InvokeHandler>>;
  readonly states?: Readonly<Record<string, StateHandler>>;
  readonly project?: string;
  readonly stack?: string;
  readonly preview?: boolean;
}

/** The subset of the mock monitor's request object the recorder reads. */
interface RegisterRequest {
  getParent(): string;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getProtect(): boolean;
}
interface RegisterResponse {
  getUrn(): string;
}
type RegisterCallback = (err: unknown, resp: RegisterResponse | undefined) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: RegisterCallback): unknown;
}

export const MOCK_ACCOUNT = "123456789012";

/**
 * Provider inputs and stack outputs are arbitrary JSON whose shape each test knows; `any` lets
 * tests index into them without a cast at every step.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export class MockRecorder {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];
  readonly errors: Error[] = [];
  readonly project: string;
  readonly stack: string;
  private pending: RegisterRequest | undefined;

  constructor(private readonly options: RecorderOptions = {}) {
    this.project = options.project ?? "regionctl";
    this.stack = options.stack ?? "dev";
  }

  /** Installs the mocks into the Pulumi runtime; every earlier registration is forgotten. */
  async install(): Promise<void> {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => this.newResource(args),
        call: (args) => this.handleInvoke(args),
      },
      this.project,
      this.stack,
      this.options.preview ?? false,
      // The file backend's organization: the program references its own stack by it.
      "organization",
    );
    const monitor = settings.getMonitor() as unknown as MonitorLike;
    const register = monitor.registerResource.bind(monitor);
    // The mock monitor calls newResource synchronously inside registerResource, so the request
    // in flight is the one newResource belongs to.
    monitor.registerResource = (req, cb) => {
      const before = this.resources.length;
      this.pending = req;
      let recorded: RecordedResource | undefined;
      try {
        return register(req, (err, resp) => {
          if (recorded !== undefined && resp !== undefined) recorded.urn = resp.getUrn();
          cb(err, resp);
        });
      } finally {
        this.pending = undefined;
        recorded = this.resources[before];
      }
    };
  }

  /** Waits until every registration the program started has finished, then fails on any mock error. */
  async settle(): Promise<void> {
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    this.throwIfErrors();
  }

  throwIfErrors(): void {
    if (this.errors.length > 0) {
      throw new Error(`the mock runtime failed:\n${this.errors.map((e) => `  ${e.message}`).join("\n")}`);
    }
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource with this name (and type); throws when there is none or several. */
  named(name: string, type?: string): RecordedResource {
    const found = this.resources.filter((r) => r.name === name && (type === undefined || r.type === type));
    if (found.length !== 1) {
      throw new Error(
        `expected one resource named ${name}${type === undefined ? "" : ` of ${type}`}, found ${found.length}`,
      );
    }
    return found[0];
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  parentOf(r: RecordedResource): RecordedResource | undefined {
    return r.parent === undefined ? undefined : this.byUrn(r.parent);
  }

  ancestors(r: RecordedResource): RecordedResource[] {
    const chain: RecordedResource[] = [];
    for (let p = this.parentOf(r); p !== undefined; p = this.parentOf(p)) chain.push(p);
    return chain;
  }

  /** The nearest ancestor of the given type. */
  ancestorOfType(r: RecordedResource, type: string): RecordedResource | undefined {
    return this.ancestors(r).find((a) => a.type === type);
  }

  /** Every resource below the given one, at any depth. */
  descendants(r: RecordedResource): RecordedResource[] {
    return this.resources.filter((x) => this.ancestors(x).some((a) => a.urn === r.urn));
  }

  /** The explicit provider resource a resource was registered with. */
  providerOf(r: RecordedResource): RecordedResource | undefined {
    if (r.provider === undefined) return undefined;
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    return this.byUrn(urn);
  }

  /** The AWS region a resource is created in, from its explicit AWS provider. */
  regionOf(r: RecordedResource): string | undefined {
    const p = this.providerOf(r);
    return p?.type === "pulumi:providers:aws" ? (p.inputs.region as string | undefined) : undefined;
  }

  /** Whether `r` depends on `on`, directly. */
  dependsOn(r: RecordedResource, on: RecordedResource): boolean {
    return r.dependencies.includes(on.urn);
  }

  private newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const req = this.pending;
    const { value: inputs, secretKeys } = unwrapTopLevelSecrets(args.inputs as Record<string, unknown>);
    const custom = args.custom ?? true;
    const record: RecordedResource = {
      type: args.type,
      name: args.name,
      urn: "",
      id: custom ? `${args.name}-id` : "",
      parent: req?.getParent() === "" ? undefined : req?.getParent(),
      custom,
      provider: args.provider === undefined || args.provider === "" ? undefined : args.provider,
      inputs,
      secretInputs: secretKeys,
      dependencies: req?.getDependenciesList() ?? [],
      ignoreChanges: req?.getIgnorechangesList() ?? [],
      additionalSecretOutputs: req?.getAdditionalsecretoutputsList() ?? [],
      protect: req?.getProtect() ?? false,
    };
    this.resources.push(record);
    try {
      const region = this.regionOf(record);
      const state: Record<string, unknown> = {
        ...(args.inputs as Record<string, unknown>),
        ...defaultState(record, region),
        ...(this.options.states?.[record.type]?.(record, region) ?? {}),
      };
      // The engine marks additionalSecretOutputs secret; the mock monitor does not, so do it here.
      for (const key of record.additionalSecretOutputs) {
        if (key in state) state[key] = { [specialSigKey]: specialSecretSig, value: state[key] };
      }
      return { id: record.id, state };
    } catch (e) {
      this.errors.push(e as Error);
      throw e;
    }
  }

  /** Answers an invoke from its handler; an invoke without one is recorded as an error and throws. */
  handleInvoke(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.invokes.push({
      token: args.token,
      inputs: args.inputs as Record<string, unknown>,
      provider: args.provider,
    });
    const handler = this.options.invokes?.[args.token];
    if (handler === undefined) {
      const err = new Error(`unmocked invoke ${args.token}(${JSON.stringify(args.inputs)})`);
      // The SDK rethrows an invoke failure with the RPC error's `details` as its message.
      Object.assign(err, { details: err.message });
      this.errors.push(err);
      throw err;
    }
    return handler(args.inputs as Record<string, unknown>);
  }
}

function isSecretValue(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** Removes secret wrappers at any depth; reports the top-level keys that held a secret. */
function unwrapTopLevelSecrets(inputs: Record<string, unknown>): {
  value: Record<string, unknown>;
  secretKeys: string[];
} {
  const secretKeys: string[] = [];
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (containsSecret(v)) secretKeys.push(k);
    value[k] = unwrapDeep(v);
  }
  return { value, secretKeys };
}

function containsSecret(v: unknown): boolean {
  if (isSecretValue(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecret);
  return false;
}

function unwrapDeep(v: unknown): unknown {
  if (isSecretValue(v)) return unwrapDeep(v.value);
  if (Array.isArray(v)) return v.map(unwrapDeep);
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapDeep(x)]));
  }
  return v;
}

/** Computed outputs a real provider would return, shaped enough for the program's outputs. */
function defaultState(r: RecordedResource, region: string | undefined): Record<string, unknown> {
  const where = region ?? "us-east-1";
  const inputs = r.inputs;
  switch (r.type) {
    case "aws:rds/globalCluster:GlobalCluster":
      return {
        arn: `arn:aws:rds::${MOCK_ACCOUNT}:global-cluster:${inputs.globalClusterIdentifier}`,
        endpoint: `${inputs.globalClusterIdentifier}.global-mock.global.rds.amazonaws.com`,
      };
    case "aws:rds/cluster:Cluster":
      return {
        arn: `arn:aws:rds:${where}:${MOCK_ACCOUNT}:cluster:${inputs.clusterIdentifier}`,
        endpoint: `${inputs.clusterIdentifier}.cluster-mock.${where}.rds.amazonaws.com`,
        readerEndpoint: `${inputs.clusterIdentifier}.cluster-ro-mock.${where}.rds.amazonaws.com`,
      };
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${where}:${MOCK_ACCOUNT}:key/${r.name}`, keyId: `${r.name}-key-id` };
    case "aws:rds/subnetGroup:SubnetGroup":
    case "aws:rds/clusterParameterGroup:ClusterParameterGroup":
      return {
        name: inputs.name ?? `${r.name}-generated`,
        arn: `arn:aws:rds:${where}:${MOCK_ACCOUNT}:x:${r.name}`,
      };
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${where}:${MOCK_ACCOUNT}:secret:${inputs.name}-AbCdEf` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `mock-password-${r.name}`.padEnd(Number(inputs.length ?? 16), "x") };
    case "random:index/randomId:RandomId":
      return {
        hex: createHash("sha256")
          .update(r.name)
          .digest("hex")
          .slice(0, 2 * Number(inputs.byteLength ?? 8)),
      };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "kubernetes:core/v1:Service":
      return loadBalancerStatus(r.name, inputs);
    case "pulumi:pulumi:StackReference":
      // What the engine answers for a stack never deployed.
      return { outputs: {}, secretOutputNames: [] };
    default:
      return r.type.startsWith("aws:") ? { arn: `arn:aws:mock:${where}:${MOCK_ACCOUNT}:${r.name}` } : {};
  }
}

/** A resolved stack output and whether Pulumi treats it as a secret. */
export interface ResolvedOutput {
  readonly value: Json;
  readonly secret: boolean;
}

/** The Output's value (with unknowns left in place during a preview, where `apply` would never run). */
export async function resolveOutput<T>(output: pulumi.Output<T>): Promise<ResolvedOutput> {
  const internal = output as unknown as { promise(withUnknowns: boolean): Promise<T> };
  return { value: await internal.promise(true), secret: await pulumi.isSecret(output) };
}

/** The `config:` entries the engine would pass for a raw regionctl config object. */
export function engineConfigFor(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[key === "awsRegion" ? "aws:region" : `regionctl:${key}`] =
      typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

export interface RunProgramOptions extends RecorderOptions {
  /** The raw regionctl config, as validateConfig takes it (`awsRegion` becomes `aws:region`). */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * The operational state to store before the run; null or absent: none stored. Unless the config
   * names a stateStore, the run uses a fresh file store in a temporary directory.
   */
  readonly state?: OperationalState | null;
}

export interface ProgramRun {
  readonly recorder: MockRecorder;
  /** Every stack output of index.ts, resolved. */
  readonly outputs: Record<string, ResolvedOutput>;
}

/** Runs the real index.ts under the recording mocks, as `pulumi up` would for this config and state. */
export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
  const recorder = new MockRecorder(options);
  await recorder.install();
  let config = options.config;
  if (config.stateStore === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regionctl-state-"));
    config = { ...config, stateStore: { kind: "file", directory: dir } };
    if (options.state !== undefined && options.state !== null) {
      fs.writeFileSync(path.join(dir, `${recorder.stack}.json`), JSON.stringify(options.state));
    }
  }
  pulumi.runtime.setAllConfig(engineConfigFor(config));
  // index.ts runs at import; a fresh module registry makes every run a new program.
  vi.resetModules();
  const program = (await import("../../index")) as Record<string, unknown>;
  const outputs: Record<string, ResolvedOutput> = {};
  for (const [key, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) {
      outputs[key] = await resolveOutput(value as pulumi.Output<unknown>);
    }
  }
  await recorder.settle();
  return { recorder, outputs };
}

/** Runs a piece of program (e.g. one component) under the recording mocks. */
export async function runMocked<T>(
  build: () => T,
  options: RecorderOptions = {},
): Promise<{ recorder: MockRecorder; result: T }> {
  const recorder = new MockRecorder(options);
  await recorder.install();
  const result = build();
  await recorder.settle();
  return { recorder, result };
}
