import * as pulumi from "@pulumi/pulumi";
import type {
  RegisterResourceOutputsRequest,
  RegisterResourceRequest,
  RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { decodeProperties } from "./decode";
import type { GraphResource } from "./graph";
import { mockState } from "./mockState";

type Callback<T> = (err: unknown, resp?: T) => void;
interface Monitor {
  registerResource(req: RegisterResourceRequest, cb: Callback<RegisterResourceResponse>): unknown;
  registerResourceOutputs(req: RegisterResourceOutputsRequest, cb: Callback<unknown>): unknown;
}

interface Entry {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  provider?: string;
  inputs: Record<string, unknown>;
  inputSecretPaths: string[];
  outputs: Record<string, unknown>;
  outputSecretPaths: string[];
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  additionalSecretOutputs: string[];
  ignoreChanges: string[];
}

const DEFAULT_AWS_PROVIDER = "default_aws";

/**
 * Records the resource graph a program registers under Pulumi's mocks, with what the engine would
 * know and the mock monitor does not pass on: parents, providers, property dependencies, secret
 * markers at any depth and the outputs components register. Invokes fail: the program must not
 * call cloud APIs while it plans.
 */
export class GraphRecorder {
  private readonly entries: Entry[] = [];
  private readonly byUrn = new Map<string, Entry>();
  private readonly errors: string[] = [];
  /** The registration in flight: the mock monitor calls newResource synchronously inside it. */
  private pending: Entry | undefined;

  constructor(
    private readonly project: string,
    private readonly stack: string,
    /** `aws:region` of the stack config: the region of AWS resources that use the default provider. */
    private readonly defaultRegion: string | undefined,
  ) {}

  async install(): Promise<void> {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({
          id: args.custom === false ? "" : `${args.name}-id`,
          state: this.state(args),
        }),
        call: (args) => {
          const message = `the program called ${args.token} while planning; offline evaluation answers no invokes`;
          this.errors.push(message);
          throw Object.assign(new Error(message), { details: message });
        },
      },
      this.project,
      this.stack,
      false,
      // The file backend's organization: the program references its own stack by it. Offline,
      // the reference has no outputs, as for a stack never deployed.
      "organization",
    );
    const monitor = settings.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResource = (req, cb) => {
      const entry = this.begin(req);
      this.pending = entry;
      try {
        return register(req, (err, resp) => {
          if (resp !== undefined) this.complete(entry, resp);
          cb(err, resp);
        });
      } finally {
        this.pending = undefined;
      }
    };
    monitor.registerResourceOutputs = (req, cb) => {
      const entry = this.byUrn.get(req.getUrn());
      if (entry !== undefined) {
        const { value, secretPaths } = decodeProperties(
          (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>,
        );
        entry.outputs = value;
        entry.outputSecretPaths = secretPaths;
      }
      return registerOutputs(req, cb);
    };
  }

  /** Fails when the program did something offline evaluation cannot answer. */
  throwIfErrors(): void {
    if (this.errors.length > 0) throw new Error(this.errors.join("\n"));
  }

  graph(): GraphResource[] {
    const resources: GraphResource[] = this.entries.map((e) => ({
      urn: e.urn,
      type: e.type,
      name: e.name,
      custom: e.custom,
      parent: e.parent,
      provider: e.provider ?? this.defaultProviderFor(e),
      region: this.regionOf(e),
      inputs: e.inputs,
      outputs: e.outputs,
      inputSecretPaths: e.inputSecretPaths,
      outputSecretPaths: e.outputSecretPaths,
      dependencies: e.dependencies,
      propertyDependencies: e.propertyDependencies,
      ignoreChanges: e.ignoreChanges,
    }));
    if (resources.some((r) => r.provider === this.defaultProviderUrn())) {
      // The engine creates default providers itself; the program never registers them.
      const inputs = this.defaultRegion === undefined ? {} : { region: this.defaultRegion };
      resources.push({
        urn: this.defaultProviderUrn(),
        type: "pulumi:providers:aws",
        name: DEFAULT_AWS_PROVIDER,
        custom: true,
        region: this.defaultRegion,
        inputs,
        outputs: inputs,
        inputSecretPaths: [],
        outputSecretPaths: [],
        dependencies: [],
        propertyDependencies: {},
      });
    }
    return resources;
  }

  private begin(req: RegisterResourceRequest): Entry {
    const { value, secretPaths } = decodeProperties(
      (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    );
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    const providerRef = req.getProvider();
    const entry: Entry = {
      urn: "",
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() === "" ? undefined : req.getParent(),
      // A provider reference is `<urn>::<id>`.
      provider: providerRef === "" ? undefined : providerRef.slice(0, providerRef.lastIndexOf("::")),
      inputs: value,
      inputSecretPaths: secretPaths,
      outputs: value,
      outputSecretPaths: secretPaths,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      ignoreChanges: req.getIgnorechangesList(),
    };
    this.entries.push(entry);
    return entry;
  }

  private complete(entry: Entry, resp: RegisterResourceResponse): void {
    entry.urn = resp.getUrn();
    this.byUrn.set(entry.urn, entry);
    if (entry.custom) {
      const { value, secretPaths } = decodeProperties(
        (resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      );
      entry.outputs = value;
      entry.outputSecretPaths = [...new Set([...secretPaths, ...entry.inputSecretPaths])];
    }
  }

  private state(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    const providerUrn =
      args.provider === undefined || args.provider === ""
        ? undefined
        : args.provider.slice(0, args.provider.lastIndexOf("::"));
    const provider = providerUrn === undefined ? undefined : this.byUrn.get(providerUrn);
    const region = regionInput(inputs) ?? regionInput(provider?.inputs) ?? this.defaultRegion ?? "us-east-1";
    const state: Record<string, unknown> = {
      ...inputs,
      ...mockState(args.type, args.name, unwrapTop(inputs), region),
    };
    // The engine marks additionalSecretOutputs secret; the mock monitor leaves that to us.
    for (const key of this.pending?.additionalSecretOutputs ?? []) {
      if (key in state) state[key] = { [specialSigKey]: specialSecretSig, value: state[key] };
    }
    return state;
  }

  private regionOf(e: Entry): string | undefined {
    if (e.type === "pulumi:providers:aws") return regionInput(e.inputs);
    if (!e.type.startsWith("aws:")) return undefined;
    const provider = e.provider === undefined ? undefined : this.byUrn.get(e.provider);
    return (
      regionInput(e.inputs) ?? (provider === undefined ? this.defaultRegion : regionInput(provider.inputs))
    );
  }

  private defaultProviderFor(e: Entry): string | undefined {
    return e.custom && e.type.startsWith("aws:") ? this.defaultProviderUrn() : undefined;
  }

  private defaultProviderUrn(): string {
    return `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:aws::${DEFAULT_AWS_PROVIDER}`;
  }
}

function regionInput(inputs: Record<string, unknown> | undefined): string | undefined {
  const r = inputs?.region;
  return typeof r === "string" && r !== "" ? r : undefined;
}

/** Top-level values with their secret wrapper removed (nested values are not needed for mock state). */
function unwrapTop(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => {
      const o = v as Record<string, unknown> | null;
      return [k, typeof o === "object" && o !== null && o[specialSigKey] === specialSecretSig ? o.value : v];
    }),
  );
}
