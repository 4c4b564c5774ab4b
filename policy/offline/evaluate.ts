import type {
  EnforcementLevel,
  Policies,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import { PACK_ENFORCEMENT, policies as allPolicies } from "../allPolicies";
import { markSecretPaths } from "../secretMarks";
import type { GraphResource } from "./graph";

/** Per-policy settings in the format of `pulumi preview --policy-pack-config FILE`. */
export type PolicyPackConfig = Readonly<
  Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>
>;

export interface PolicyViolation {
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory";
  readonly message: string;
  /** The resource in violation; absent for a violation of the stack as a whole. */
  readonly resource?: { readonly urn: string; readonly type: string; readonly name: string };
}

export interface Evaluation {
  readonly violations: readonly PolicyViolation[];
  /** Each policy that ran, with the enforcement it ran at (disabled ones are left out). */
  readonly policies: readonly { readonly name: string; readonly enforcementLevel: EnforcementLevel }[];
}

export interface EvaluateOptions {
  readonly policies?: Policies;
  readonly config?: PolicyPackConfig;
  /**
   * Facts about the stack (regions, writer, routing, environment) filled into a policy's config
   * when its schema has the key and the user's config leaves it out.
   */
  readonly facts?: Readonly<Record<string, unknown>>;
  /**
   * Evaluate as `pulumi preview` does: values equal to Pulumi's unknown marker are computed later,
   * and reading one throws (the analyzer's proxy). Offline recordings have none; tests use it.
   */
  readonly preview?: boolean;
  /**
   * The stack's resources as they stand (a recording of the program at the state the stack was
   * last deployed from). A resource found here keeps the stored values of its `ignoreChanges`
   * properties, as the engine restores them before analyzers run; without it every resource is
   * evaluated as if it were being created.
   */
  readonly prior?: readonly GraphResource[];
}

class NotApplicable extends Error {}

/**
 * Runs policies over a recorded graph the way the Pulumi analyzer does: enforcement from the
 * config, else the policy, else the pack; `validateResource` per resource on its inputs, then
 * `validateStack` once on the outputs; schema defaults and config handed out by `getConfig`.
 */
export async function evaluatePolicies(
  registered: readonly GraphResource[],
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const policies = options.policies ?? allPolicies;
  const config = options.config ?? {};
  const resources = withIgnoredChanges(registered, options.prior ?? []);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const wrap = options.preview === true ? unknownCheckingProxy : <T>(v: T): T => v;
  const violations: PolicyViolation[] = [];
  const ran: { name: string; enforcementLevel: EnforcementLevel }[] = [];

  for (const policy of policies) {
    const entry = config[policy.name];
    const configured = typeof entry === "string" ? entry : entry?.enforcementLevel;
    const level = configured ?? policy.enforcementLevel ?? PACK_ENFORCEMENT;
    if (level === "disabled") continue;
    ran.push({ name: policy.name, enforcementLevel: level });
    // Remediation is not applied offline; like the analyzer, a violation that remains is mandatory.
    const reported = level === "advisory" ? "advisory" : "mandatory";
    const policyConfig = settingsFor(policy, entry, options.facts ?? {});
    const getConfig = <T extends object>(): T => structuredClone(policyConfig) as T;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };

    const validations = "validateResource" in policy ? policy.validateResource : undefined;
    for (const validate of validations === undefined ? [] : [validations].flat()) {
      for (const r of resources) {
        const report: ReportViolation = (message) =>
          violations.push({ policy: policy.name, enforcementLevel: reported, message, resource: ref(r) });
        const props = wrap(withSecrets(r.inputs, r.inputSecretPaths));
        const args: ResourceValidationArgs = {
          type: r.type,
          props,
          urn: r.urn,
          name: r.name,
          opts: resourceOptions(r),
          provider: providerOf(r, byUrn, wrap),
          stackTags: new Map(),
          isType: (cls) => isType(r.type, cls),
          asType: ((cls: object) =>
            isType(r.type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        await run(
          policy.name,
          () => validate(args, report),
          (m) =>
            violations.push({
              policy: policy.name,
              enforcementLevel: "advisory",
              message: m,
              resource: ref(r),
            }),
        );
      }
    }

    if ("validateStack" in policy && typeof policy.validateStack === "function") {
      const validateStack = policy.validateStack;
      const args: StackValidationArgs = {
        resources: policyResources(resources, byUrn, wrap),
        stackTags: new Map(),
        getConfig,
        notApplicable,
      };
      const report: ReportViolation = (message, urn) => {
        const r = urn === undefined ? undefined : byUrn.get(urn);
        violations.push({ policy: policy.name, enforcementLevel: reported, message, resource: r && ref(r) });
      };
      await run(
        policy.name,
        () => validateStack(args, report),
        (m) => violations.push({ policy: policy.name, enforcementLevel: "advisory", message: m }),
      );
    }
  }
  return { violations, policies: ran };
}

/**
 * What the engine does before analyzers run: for a resource that already exists, each property
 * named in `ignoreChanges` takes its stored value (absent if it had none), whatever the program
 * passed. Only top-level names are applied, which is all the program uses.
 */
export function withIgnoredChanges(
  resources: readonly GraphResource[],
  prior: readonly GraphResource[],
): GraphResource[] {
  const before = new Map(prior.map((r) => [r.urn, r]));
  return resources.map((r) => {
    const old = before.get(r.urn);
    const ignored = r.ignoreChanges ?? [];
    if (old === undefined || ignored.length === 0) return r;
    const keep = (values: Record<string, unknown>, stored: Record<string, unknown>) => {
      const out = { ...values };
      for (const key of ignored) {
        if (key in stored) out[key] = stored[key];
        else delete out[key];
      }
      return out;
    };
    const paths = (now: readonly string[], stored: readonly string[]) => [
      ...now.filter((p) => !ignored.some((key) => underKey(p, key))),
      ...stored.filter((p) => ignored.some((key) => underKey(p, key))),
    ];
    return {
      ...r,
      inputs: keep(r.inputs, old.inputs),
      outputs: keep(r.outputs, old.outputs),
      inputSecretPaths: paths(r.inputSecretPaths, old.inputSecretPaths),
      outputSecretPaths: paths(r.outputSecretPaths, old.outputSecretPaths),
    };
  });
}

function underKey(p: string, key: string): boolean {
  return p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`);
}

type Wrap = <T extends object>(value: T) => T;

async function run(
  policy: string,
  validate: () => void | Promise<void>,
  cannotRun: (message: string) => void,
): Promise<void> {
  try {
    await validate();
  } catch (err) {
    if (err instanceof NotApplicable) return;
    if (err instanceof UnknownValueError) {
      // What the analyzer does with a policy that reads a value computed later.
      cannotRun(`can't run policy ${policy} during preview: ${(err as Error).message}`);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`policy ${policy} failed: ${message}`, { cause: err });
  }
}

/** Schema defaults, then stack facts the schema asks for, then the user's settings. */
function settingsFor(
  policy: Policies[number],
  entry: PolicyPackConfig[string] | undefined,
  facts: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (typeof schema === "object" && schema.default !== undefined) settings[key] = schema.default;
    if (facts[key] !== undefined) settings[key] = facts[key];
  }
  if (typeof entry === "object") {
    const { enforcementLevel: _level, ...rest } = entry;
    Object.assign(settings, rest);
  }
  return settings;
}

function ref(r: GraphResource): { urn: string; type: string; name: string } {
  return { urn: r.urn, type: r.type, name: r.name };
}

function withSecrets(
  values: Record<string, unknown>,
  secretPaths: readonly string[],
): Record<string, unknown> {
  const props = structuredClone(values);
  markSecretPaths(props, secretPaths);
  return props;
}

function resourceOptions(r: GraphResource): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [...(r.ignoreChanges ?? [])],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent === undefined ? {} : { parent: r.parent }),
  };
}

function providerOf(
  r: GraphResource,
  byUrn: ReadonlyMap<string, GraphResource>,
  wrap: Wrap,
): PolicyProviderResource | undefined {
  const p = r.provider === undefined ? undefined : byUrn.get(r.provider);
  if (p === undefined) return undefined;
  return { type: p.type, props: wrap(withSecrets(p.inputs, p.inputSecretPaths)), urn: p.urn, name: p.name };
}

function policyResources(
  resources: readonly GraphResource[],
  byUrn: ReadonlyMap<string, GraphResource>,
  wrap: Wrap,
): PolicyResource[] {
  const out = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = wrap(withSecrets(r.outputs, r.outputSecretPaths));
    out.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: resourceOptions(r),
      provider: providerOf(r, byUrn, wrap),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isType(r.type, cls),
      asType: ((cls: object) => (isType(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    });
  }
  for (const r of resources) {
    const pr = out.get(r.urn);
    if (pr === undefined) continue;
    pr.parent = r.parent === undefined ? undefined : out.get(r.parent);
    pr.dependencies = r.dependencies.flatMap((u) => out.get(u) ?? []);
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      pr.propertyDependencies[key] = urns.flatMap((u) => out.get(u) ?? []);
    }
  }
  return [...out.values()];
}

/** Like the analyzer: SDK resource classes carry their type token. */
function isType(type: string, resourceClass: object): boolean {
  return (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
}
