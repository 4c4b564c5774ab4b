/**
 * The resource graph a Pulumi program registers, as recorded under mocks: what the engine would
 * hand to the policy analyzer during a preview, plus the secret markers it strips.
 */
export interface GraphResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** False for component resources (and the Stack). */
  readonly custom: boolean;
  readonly parent?: string;
  /** URN of the provider resource (explicit or the synthesized default one). */
  readonly provider?: string;
  /** The AWS region the resource is created in, from its own `region` or its provider's. */
  readonly region?: string;
  /** Inputs as registered, secrets unwrapped (what `validateResource` sees). */
  readonly inputs: Record<string, unknown>;
  /** Inputs plus the computed outputs (what `validateStack` sees); a component's registered outputs. */
  readonly outputs: Record<string, unknown>;
  /** Paths (`masterPassword`, `a.b[0]`) of inputs that are Pulumi secrets. */
  readonly inputSecretPaths: readonly string[];
  readonly outputSecretPaths: readonly string[];
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** Top-level properties the engine keeps at their stored values once the resource exists. */
  readonly ignoreChanges?: readonly string[];
}

export interface ResourceGraph {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly GraphResource[];
}
