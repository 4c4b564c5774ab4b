import { z } from "zod";
import type { EnvironmentConfig } from "./config";

/**
 * The controller-owned document for one environment. People own the stack config; the controller
 * owns this. The Pulumi program reads both, so a plain `pulumi up` never undoes a failover or a
 * half-finished promotion.
 */

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

export const RELEASE_STATUSES = ["deploying", "deployed", "failed", "rolledback", "rollback_failed"] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/** The document layout this regionctl writes and reads. */
export const SCHEMA_VERSION = 1;

const slotSchema = z
  .object({
    version: z.string(),
    /** Replicas of this colour. 0 keeps the Deployment but scales it away. */
    replicas: z.number().int().min(0),
  })
  .strict();
export type Slot = z.infer<typeof slotSchema>;

const regionStateSchema = z
  .object({
    /** Version the region's traffic is served by (the active colour's). */
    version: z.string(),
    activeColor: z.enum(COLORS),
    slots: z.object({ blue: slotSchema.nullable(), green: slotSchema.nullable() }).strict(),
    /**
     * Percent of the region's traffic sent to the idle colour during a canary, or null. The
     * topology turns it into a replica split or a DNS weight.
     */
    canaryWeight: z.number().min(0).max(100).nullable(),
    /** Taken out of traffic (failed, flapping, or drained for a switchover). */
    drained: z.boolean(),
    /** Left out of stack updates: the controller does not touch an impaired region's control plane. */
    excluded: z.boolean(),
    /** The last release's per-region status. */
    releaseStatus: z.enum(RELEASE_STATUSES).nullable(),
    /** Why the region is drained or excluded, for people reading `regionctl status`. */
    note: z.string().nullable(),
  })
  .strict();
export type RegionState = z.infer<typeof regionStateSchema>;

const stepRecordSchema = z
  .object({
    index: z.number().int().min(0),
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    outcome: z.enum(["ok", "failed", "skipped"]).nullable(),
    detail: z.string().nullable(),
  })
  .strict();
export type StepRecord = z.infer<typeof stepRecordSchema>;

const operationSchema = z
  .object({
    id: z.string(),
    kind: z.enum([
      "deploy",
      "failover",
      "switchover",
      "failback",
      "repair",
      "sync",
      "rollback",
      "traffic",
      "rotation",
    ]),
    /** The plan, as data, so a resumed run executes exactly what was planned. */
    plan: z.unknown(),
    /** Each region's state before the operation: what a rollback restores. */
    before: z.record(regionStateSchema),
    writerBefore: z.string(),
    phase: z.enum(["running", "paused", "compensating", "succeeded", "failed", "rolledback", "aborted"]),
    /** Index of the first step not yet finished, in `plan.steps` or, while compensating, in `plan.compensation`. */
    cursor: z.number().int().min(0),
    steps: z.array(stepRecordSchema),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    reason: z.string().nullable(),
    /**
     * Set by `abort` from another process while this one runs: the run holding the lease polls
     * for it, stops and compensates. Absent in documents written before it existed.
     */
    abortRequestedBy: z.string().nullable().optional(),
    /**
     * Set by the watcher when the writer fails while this operation runs in another process: the
     * run stops at once and ends without calling any region (its rollback is left to the
     * failover's stack update). Absent in documents written before it existed.
     */
    preemptedBy: z.string().nullable().optional(),
  })
  .strict();
export type OperationRecord = z.infer<typeof operationSchema>;

const repairSchema = z
  .object({
    region: z.string(),
    reason: z.string(),
    attempts: z.number().int().min(0),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    queuedAt: z.string(),
  })
  .strict();
export type RepairItem = z.infer<typeof repairSchema>;

const syncStateSchema = z
  .object({
    lastSync: z.string().nullable(),
    status: z.enum(["idle", "running", "error"]),
    lastError: z.string().nullable(),
    nextRunAt: z.string().nullable(),
  })
  .strict();
export type SyncState = z.infer<typeof syncStateSchema>;

const incidentSchema = z
  .object({
    kind: z.enum(["failover", "switchover", "failback"]),
    from: z.string(),
    to: z.string(),
    faultAt: z.string().nullable(),
    recoveredAt: z.string().nullable(),
    rpoSeconds: z.number().nullable(),
    rtoSeconds: z.number().nullable(),
  })
  .strict();
export type IncidentRecord = z.infer<typeof incidentSchema>;

const detachedWriterSchema = z
  .object({
    region: z.string(),
    /** The standalone cluster's identifier. */
    clusterIdentifier: z.string(),
    /** Its own writer endpoint, which the apps and the secret name while it is the writer. */
    endpoint: z.string().min(1),
    /** The global cluster it left. */
    detachedFrom: z.string(),
    operationId: z.string(),
    recordedAt: z.string(),
  })
  .strict();
export type DetachedWriterRecord = z.infer<typeof detachedWriterSchema>;

const fenceItemSchema = z
  .object({
    region: z.string(),
    clusterIdentifier: z.string(),
    /** Why the cluster is still writable: the old global writer, or an earlier detached target. */
    reason: z.string(),
    queuedAt: z.string(),
  })
  .strict();
export type FenceItem = z.infer<typeof fenceItemSchema>;

/**
 * A stack update a move deferred because it failed (the Pulumi backend or the Route 53 control
 * plane unreachable): the state already says where the writer and the traffic are, and the
 * watcher updates the stack again, with backoff, until it lands.
 */
const deferredStackUpdateSchema = z
  .object({
    /** The operation whose update failed, and its step. */
    operationId: z.string(),
    stepId: z.string(),
    queuedAt: z.string(),
    /** Updates tried so far, the first included. */
    attempts: z.number().int().min(1),
    nextAttemptAt: z.string(),
    lastError: z.string(),
  })
  .strict();
export type DeferredStackUpdate = z.infer<typeof deferredStackUpdateSchema>;

export const operationalStateSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    environment: z.string(),
    /**
     * The Pulumi stack the document belongs to, stamped on every write so a document copied to
     * another stack's store is refused. Absent in documents written before it existed.
     */
    stack: z.string().optional(),
    /** Bumped on every write; lets readers tell documents apart. */
    revision: z.number().int().min(0),
    writer: z.string(),
    regions: z.record(regionStateSchema),
    operation: operationSchema.nullable(),
    /** Last finished operations, newest last, bounded. */
    history: z.array(operationSchema.omit({ plan: true })),
    replicationQueue: z.array(repairSchema),
    sync: z.record(syncStateSchema),
    incidents: z.array(incidentSchema),
    /**
     * Regions whose cluster's managed-RPO guard the controller relaxed (a writer left without a
     * reachable secondary), until it restores the configured value. Absent in documents written
     * before it existed, and when none is relaxed.
     */
    rpoGuardRelaxed: z.array(z.string()).optional(),
    /**
     * The standalone cluster a detach-and-promote failover made the writer. Absent (or null) while
     * the writer is the global cluster's, and in documents written before it existed.
     */
    detachedWriter: detachedWriterSchema.nullable().optional(),
    /**
     * Clusters a detach left writable in a region that was down (the old global writer, an earlier
     * detached target): each is fenced when its region is back, before it is rebuilt or readmitted.
     */
    fenceOnReturn: z.array(fenceItemSchema).optional(),
    /**
     * The stack update a move left pending (see DeferredStackUpdate). Absent (or null) when the
     * stack renders the state, and in documents written before it existed.
     */
    deferredStackUpdate: deferredStackUpdateSchema.nullable().optional(),
  })
  .strict();
export type OperationalState = z.infer<typeof operationalStateSchema>;

export const HISTORY_LIMIT = 20;

/** The state a new environment starts with: everything on the configured version, blue active. */
export function initialState(config: EnvironmentConfig): OperationalState {
  const regions: Record<string, RegionState> = {};
  const sync: Record<string, SyncState> = {};
  for (const r of config.regions) {
    regions[r.region] = {
      version: config.app.version,
      activeColor: "blue",
      slots: { blue: { version: config.app.version, replicas: config.app.replicas }, green: null },
      canaryWeight: null,
      drained: false,
      excluded: false,
      releaseStatus: null,
      note: null,
    };
    if (r.region !== config.writer) {
      sync[r.region] = { lastSync: null, status: "idle", lastError: null, nextRunAt: null };
    }
  }
  return {
    schemaVersion: 1,
    environment: config.environment,
    revision: 0,
    writer: config.writer,
    regions,
    operation: null,
    history: [],
    replicationQueue: [],
    sync,
    incidents: [],
  };
}

/**
 * Brings a stored state in line with the config: regions added to the config start from the
 * config's version, regions removed from it are dropped. The writer is kept unless it left the config.
 */
export function reconcileState(config: EnvironmentConfig, state: OperationalState | null): OperationalState {
  const fresh = initialState(config);
  if (state === null) {
    return fresh;
  }
  const regions: Record<string, RegionState> = {};
  const sync: Record<string, SyncState> = {};
  for (const r of config.regions) {
    regions[r.region] = state.regions[r.region] ?? fresh.regions[r.region];
  }
  const writer = regions[state.writer] !== undefined ? state.writer : config.writer;
  for (const r of config.regions) {
    if (r.region !== writer) {
      sync[r.region] = state.sync[r.region] ?? {
        lastSync: null,
        status: "idle",
        lastError: null,
        nextRunAt: null,
      };
    }
  }
  return { ...state, writer, regions, sync };
}

export class StateSchemaError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`operational state in ${source} is invalid:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    this.name = "StateSchemaError";
  }
}

/**
 * Parses a stored document, naming every invalid field. What cannot be a document at all (null,
 * not an object) and a document from a newer regionctl are named as such, with the fix.
 */
export function parseState(raw: unknown, source: string): OperationalState {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new StateSchemaError(source, [
      `(root): the document is ${raw === null ? "null" : Array.isArray(raw) ? "an array" : `a ${typeof raw}`}, not an operational state; restore it from a backup, or delete it to start again from the config`,
    ]);
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === "number" && version > SCHEMA_VERSION) {
    throw new StateSchemaError(source, [
      `schemaVersion: written by a newer regionctl (schema ${version}); this one reads schema ${SCHEMA_VERSION}: upgrade regionctl`,
    ]);
  }
  const parsed = operationalStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateSchemaError(
      source,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  return parsed.data;
}
