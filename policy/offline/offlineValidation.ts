import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  type ConfigIssue,
  type EnvironmentConfig,
  rawConfigFromStackConfig,
  validateConfig,
} from "../../components/config";
import { loadOperationalState } from "../../state/loadOperationalState";
import { type OperationalState, StateSchemaError, parseState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import { type Evaluation, evaluatePolicies, type PolicyPackConfig } from "./evaluate";
import type { ResourceGraph } from "./graph";
import { recordInChild } from "./recordInChild";
import { engineConfig, readStackFile } from "./stackFile";

export interface OfflineValidationInput {
  /** The directory of Pulumi.yaml and the program. */
  readonly programDir: string;
  /** The stack settings file to validate. */
  readonly stackFile: string;
  /** The stack name; default: from the file name (`Pulumi.<stack>.yaml`). */
  readonly stack?: string;
  /** Base of a relative file-store directory; default: the stack file's directory (as for Pulumi). */
  readonly stateBaseDir?: string;
  /** An operational state document to use instead of the configured store's. */
  readonly statePath?: string;
  readonly policyConfig?: PolicyPackConfig;
}

export type OfflineValidation =
  | { readonly kind: "config"; readonly stack: string; readonly issues: readonly ConfigIssue[] }
  | {
      readonly kind: "evaluated";
      readonly stack: string;
      readonly graph: ResourceGraph;
      readonly evaluation: Evaluation;
      /** What the stack-level policies were told: environment, regions, routing, writer. */
      readonly facts: Readonly<Record<string, unknown>>;
      /** Where the operational state came from; null when none was stored (derived from config). */
      readonly stateSource: string | null;
      readonly notes: readonly string[];
    };

/**
 * What `regionctl validate` does: validate the stack's config (every problem at once); if it is
 * valid, run the real program under mocks for that config and the current operational state, and
 * evaluate every policy of the pack over the resources it registers.
 */
export async function validateOffline(input: OfflineValidationInput): Promise<OfflineValidation> {
  const read = readStackFile(input.stackFile);
  const file = { ...read, stack: input.stack ?? read.stack };
  const checked = validateConfig(rawConfigFromStackConfig(file.config));
  if (!checked.ok) return { kind: "config", stack: file.stack, issues: checked.issues };
  const config = checked.config;

  const notes: string[] = [];
  const { state, source } = await readState(config, file.stack, input, notes);
  // The program reads the state from a private file store, so evaluation never reaches the real one.
  const stateDir = mkdtempSync(path.join(tmpdir(), "regionctl-validate-"));
  try {
    const engine = engineConfig(file.config);
    const record = () =>
      recordInChild({
        programDir: input.programDir,
        stack: file.stack,
        config: {
          ...engine.config,
          "regionctl:stateStore": JSON.stringify({ kind: "file", directory: stateDir }),
        },
        secretKeys: engine.secretKeys,
      });
    // The stack as first deployed from its config: after a failover or a detach its resources keep
    // their creation-time values of ignored properties, and the engine shows policies those.
    const prior = state === null ? undefined : (await record()).resources;
    if (state !== null) writeFileSync(path.join(stateDir, `${file.stack}.json`), JSON.stringify(state));
    const graph = await record();
    const facts = {
      environment: config.environment,
      regions: config.regions.map((r) => r.region),
      routing: config.dns.routing,
      writer: planTopology(config, state).writer,
    };
    const globalNote = globalProviderNote(config, facts.writer);
    if (globalNote !== null) notes.push(globalNote);
    const evaluation = await evaluatePolicies(graph.resources, { config: input.policyConfig, facts, prior });
    return { kind: "evaluated", stack: file.stack, graph, evaluation, facts, stateSource: source, notes };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The global provider (Route 53 records and health checks, the secret's home) works in
 * `aws:region`; when that is the writer's region, the stack update after that region's outage
 * needs the failed region. A warning, not an error: the failover itself never waits on it.
 */
export function globalProviderNote(config: EnvironmentConfig, writer: string): string | null {
  if (config.awsRegion !== writer) return null;
  return (
    `warning: aws:region (the global provider's region) is the writer region ${writer}; the stack ` +
    `update after a failover away from ${writer} then depends on the failed region. Set aws:region ` +
    "to a region that is not the writer's."
  );
}

async function readState(
  config: EnvironmentConfig,
  stack: string,
  input: OfflineValidationInput,
  notes: string[],
): Promise<{ state: OperationalState | null; source: string | null }> {
  if (input.statePath !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(input.statePath, "utf8"));
    } catch (e) {
      throw new StateSchemaError(input.statePath, [(e as Error).message]);
    }
    return { state: parseState(raw, input.statePath), source: input.statePath };
  }
  const store = config.stateStore;
  if (store.kind !== "file") {
    notes.push(
      "the state store is S3, which validate does not read: the writer and slots come from the config (use --state FILE)",
    );
    return { state: null, source: null };
  }
  const cwd = input.stateBaseDir ?? path.dirname(path.resolve(input.stackFile));
  const state = await loadOperationalState(store, { stack, environment: config.environment }, { cwd });
  return { state, source: state === null ? null : path.resolve(cwd, store.directory, `${stack}.json`) };
}
