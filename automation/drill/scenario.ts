import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { AWS_REGIONS, MAX_REGIONS, MIN_REGIONS } from "../../components/config";
import { scenarioConfig } from "./scenarioConfig";

/**
 * The drill scenario format. Times are seconds on the drill clock.
 * Validation reports every problem at once, each with its path in the file.
 */

const regionName = z.string().refine((r) => (AWS_REGIONS as readonly string[]).includes(r), {
  message: "unknown AWS region",
});
const seconds = z.number().finite().min(0, "must be 0 or more");
const fraction = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

export const API_SERVICES = ["route53", "rds", "cloudwatch", "kubernetes"] as const;
export type ApiService = (typeof API_SERVICES)[number];

const versionBehaviour = z
  .object({
    /** Fraction of requests (and health probes) that fail on this build. */
    errorRate: fraction,
    /** Response time of the build; a probe slower than the health check timeout fails. Default 50. */
    latencyMs: z.number().min(0).default(50),
  })
  .strict();

/**
 * Every event kind and its payload. `failback` and `abort` take no payload (`failback: {}`);
 * `promote` takes `{}` or `{ full: true }`, as `regionctl promote --full`.
 */
export const eventPayloads = {
  deploy: z
    .object({ version: z.string().min(1), strategy: z.enum(["rolling", "blue-green", "canary"]).optional() })
    .strict(),
  outage: z.object({ region: z.string() }).strict(),
  recover: z.object({ region: z.string() }).strict(),
  degrade: z
    .object({ region: z.string(), errorRate: fraction, latencyMs: z.number().min(0).optional() })
    .strict(),
  flap: z.object({ region: z.string(), periodSeconds: z.number().min(2, "must be at least 2") }).strict(),
  replicationBreak: z.object({ region: z.string() }).strict(),
  apiErrors: z
    .object({
      service: z.enum(API_SERVICES),
      /** The region whose endpoint fails; Route 53's control plane is global (us-east-1). */
      region: z.string().optional(),
      count: z.number().int().min(1, "must be at least 1"),
    })
    .strict(),
  stackUpdateFailure: z
    .object({ region: z.string(), count: z.number().int().min(1, "must be at least 1") })
    .strict(),
  switchover: z.object({ to: z.string() }).strict(),
  /** The watcher replica in `from` cannot reach region `to`; clients and Route 53 still can. */
  partition: z.object({ from: z.string(), to: z.string() }).strict(),
  /** Ends a partition. */
  heal: z.object({ from: z.string(), to: z.string() }).strict(),
  failback: z.union([z.object({}).strict(), z.null()]).transform(() => ({})),
  /** An operator's `regionctl abort` of the operation in flight. */
  abort: z.union([z.object({}).strict(), z.null()]).transform(() => ({})),
  /** An operator's `regionctl promote` (`--full` with `full: true`) of a paused operation. */
  promote: z
    .preprocess((p) => p ?? {}, z.object({ full: z.boolean().optional() }).strict())
    .transform((p) => ({ full: p.full ?? false })),
} as const;

export type EventKind = keyof typeof eventPayloads;
export const EVENT_KINDS = Object.keys(eventPayloads) as EventKind[];

export type DrillEvent = {
  [K in EventKind]: { readonly at: number; readonly kind: K; readonly index: number } & z.infer<
    (typeof eventPayloads)[K]
  >;
}[EventKind];

const expectSchema = z
  .object({
    /** The writer at the end of the drill. */
    finalWriter: z.string().optional(),
    /** Operations that must have run, in this order (others may run between them). */
    operations: z.array(z.object({ kind: z.string(), outcome: z.string() }).strict()).optional(),
    /** Operation kinds that must not run at all (e.g. failover in manual mode). */
    noOperations: z.array(z.string()).optional(),
    /** Controller decisions that must appear in the timeline, e.g. manual-failover-required. */
    decisions: z.array(z.string()).optional(),
    /** Every incident with a floor must have recovered within this multiple of it. */
    maxRtoOverFloor: z.number().positive().optional(),
    /** Every incident's RPO must be at most this. */
    maxRpoSeconds: z.number().min(0).optional(),
  })
  .strict();

/**
 * Where the control plane runs. Absent: one watcher, one store and one Pulumi backend that no
 * fault reaches, as before the format had this block.
 */
const controlPlaneShape = z
  .object({
    /** One watcher replica per region listed; one leads, by lease. */
    watchers: z.array(regionName).min(1, "needs at least one watcher region"),
    /** Default: a DynamoDB table replicated to the watcher regions. */
    stateStore: z
      .discriminatedUnion("kind", [
        z.object({ kind: z.literal("dynamodb"), regions: z.array(regionName).min(1) }).strict(),
        z.object({ kind: z.literal("s3"), region: regionName }).strict(),
      ])
      .optional(),
    /** Stack updates fail while this region is out. Absent: a backend no fault reaches. */
    pulumiBackendRegion: regionName.optional(),
  })
  .strict();

export type ControlPlaneSpec = z.infer<typeof controlPlaneShape>;

const scenarioShape = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
    description: z.string().optional(),
    regions: z.array(regionName),
    writer: z.string().optional(),
    healthCheck: z
      .object({
        /**
         * The watchers' probe interval, 1 to 30 s. Route 53's checkers run at it when it is one
         * Route 53 allows (10 or 30), else every 10 s, its shortest (see route53IntervalSeconds),
         * so a pair of scenarios can compare health-check and ARC routing at the same probe rate.
         */
        intervalSeconds: z
          .number()
          .int("a whole number of seconds")
          .min(1, "must be 1 to 30")
          .max(30, "must be 1 to 30")
          .default(10),
        failureThreshold: z.number().int().min(1).max(10).default(3),
        /** Per-checker and per-probe timeout (Route 53: 4 s to connect + 2 s to respond). */
        timeoutSeconds: z.number().positive().max(60).default(6),
      })
      .strict()
      .default({}),
    dnsTtlSeconds: z
      .number()
      .int()
      .min(0)
      .max(60, "health-checked records need a TTL of 60 s or less")
      .default(60),
    routing: z.enum(["failover", "latency", "weighted"]).default("failover"),
    /**
     * The config's `dns.control`: `health-check` (Route 53 health checks move traffic) or `arc`
     * (the controller flips Route 53 ARC routing controls; records answer from them at once).
     */
    dnsControl: z.enum(["health-check", "arc"]).default("health-check"),
    /** The config's `failover` block; failureThreshold comes from healthCheck. */
    failover: z.record(z.unknown()).default({}),
    /** The config's `release` block (strategy, bakeSeconds, canarySteps, ...). */
    release: z.record(z.unknown()).default({}),
    versions: z.record(versionBehaviour),
    initialVersion: z.string(),
    database: z
      .object({
        /** Replication lag of every secondary, seconds. Default 0.5 (Aurora: typically under 1 s). */
        lagSeconds: z.number().min(0).default(0.5),
        /** Managed failover (FailoverGlobalCluster) time. Default 60. */
        failoverSeconds: seconds.default(60),
        /** Managed switchover (SwitchoverGlobalCluster) time. Default 60. */
        switchoverSeconds: seconds.default(60),
        /** RemoveFromGlobalCluster time. Default 30. */
        detachSeconds: seconds.default(30),
        /** Time to rebuild a secondary that dropped out of the global cluster. Default 300. */
        rebuildSeconds: seconds.default(300),
        /**
         * Whether FailoverGlobalCluster is available (older engine versions lack it). Without it,
         * an unplanned failover must detach and promote a secondary. Default true.
         */
        managedFailover: z.boolean().default(true),
        /**
         * The managed-RPO guard (`database.rpoSeconds`): commits on the writer block while every
         * secondary lags past it. Absent: none.
         */
        rpoSeconds: z.number().int().min(20, "Aurora's managed RPO is at least 20 seconds").optional(),
      })
      .strict()
      .default({}),
    simulation: z
      .object({
        /** Route 53 health checkers per endpoint. Default 16. */
        checkers: z.number().int().min(1).max(64).default(16),
        /** Time a stack update that changes something takes. Default 30. */
        stackUpdateSeconds: seconds.default(30),
        /** Time a stack update with nothing to change takes. Default 5. */
        stackNoopSeconds: seconds.default(5),
        /** Time a sync job run takes. Default 20. */
        syncSeconds: seconds.default(20),
        /** Requests per region per minute, for metric noise. Default 6000. */
        requestsPerMinute: z.number().int().min(10).default(6000),
      })
      .strict()
      .default({}),
    controlPlane: controlPlaneShape.optional(),
    events: z.array(z.unknown()).default([]),
    until: z.number().positive("must be positive"),
    expect: expectSchema.optional(),
  })
  .strict();

type ScenarioShape = z.infer<typeof scenarioShape>;

export type Scenario = Omit<ScenarioShape, "events" | "writer"> & {
  readonly writer: string;
  readonly events: readonly DrillEvent[];
  /** Where it was read from, for messages. */
  readonly source: string;
};

export interface ScenarioProblem {
  readonly path: string;
  readonly message: string;
}

export type ScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? String(p) : `${acc}.${p}`),
    "",
  );
}

function zodProblems(error: z.ZodError, prefix: (string | number)[] = []): ScenarioProblem[] {
  return error.issues.map((i) => {
    const base = pathText([...prefix, ...i.path]) || "(scenario)";
    if (i.code === "unrecognized_keys") {
      return { path: base, message: `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}` };
    }
    return { path: base, message: i.message };
  });
}

/** Validates a parsed scenario document and reports every problem with its path. */
export function validateScenario(raw: unknown, source = "(scenario)"): ScenarioResult {
  const problems: ScenarioProblem[] = [];
  const shape = scenarioShape.safeParse(raw);
  if (!shape.success) problems.push(...zodProblems(shape.error));
  // Cross-field checks run on whatever parsed, so one bad field never hides another problem.
  const doc = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const regions = Array.isArray(doc.regions)
    ? doc.regions.filter((r): r is string => typeof r === "string")
    : [];
  const versions =
    typeof doc.versions === "object" && doc.versions !== null ? Object.keys(doc.versions as object) : [];
  const until = typeof doc.until === "number" ? doc.until : Number.POSITIVE_INFINITY;

  if (Array.isArray(doc.regions)) {
    if (doc.regions.length < MIN_REGIONS || doc.regions.length > MAX_REGIONS) {
      problems.push({
        path: "regions",
        message: `needs ${MIN_REGIONS} to ${MAX_REGIONS} regions (one writer and up to 10 secondaries), got ${doc.regions.length}`,
      });
    }
    regions.forEach((r, i) => {
      if (regions.indexOf(r) !== i)
        problems.push({ path: `regions[${i}]`, message: `duplicate region ${r}` });
    });
  }
  const knownRegion = (value: unknown, path: string): void => {
    if (typeof value === "string" && !regions.includes(value)) {
      problems.push({ path, message: `unknown region ${value} (scenario regions: ${regions.join(", ")})` });
    }
  };
  knownRegion(doc.writer, "writer");
  if (typeof doc.initialVersion === "string" && !versions.includes(doc.initialVersion)) {
    problems.push({
      path: "initialVersion",
      message: `version ${doc.initialVersion} has no behaviour in versions (known: ${versions.join(", ") || "none"})`,
    });
  }
  if (typeof doc.failover === "object" && doc.failover !== null && "failureThreshold" in doc.failover) {
    problems.push({ path: "failover.failureThreshold", message: "set it in healthCheck.failureThreshold" });
  }

  const cp = controlPlaneRegions(doc.controlPlane, problems);

  const events: DrillEvent[] = [];
  const rawEvents = Array.isArray(doc.events) ? doc.events : [];
  rawEvents.forEach((entry, index) => {
    const at = `events[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push({
        path: at,
        message: "must be a mapping like { at: 60, outage: { region: us-east-1 } }",
      });
      return;
    }
    const e = entry as Record<string, unknown>;
    const time = e.at;
    if (typeof time !== "number" || !Number.isFinite(time) || time < 0) {
      problems.push({ path: `${at}.at`, message: "needs a time in seconds, 0 or more" });
    } else if (time > until) {
      problems.push({ path: `${at}.at`, message: `${time} is after until (${until})` });
    }
    const kinds = Object.keys(e).filter((k) => k !== "at");
    if (kinds.length === 0) {
      problems.push({ path: at, message: `has no event kind (one of ${EVENT_KINDS.join(", ")})` });
      return;
    }
    const unknown = kinds.filter((k) => !(EVENT_KINDS as string[]).includes(k));
    for (const k of unknown) {
      problems.push({
        path: `${at}.${k}`,
        message: `unknown event kind '${k}' (known: ${EVENT_KINDS.join(", ")})`,
      });
    }
    if (unknown.length > 0) return;
    if (kinds.length > 1) {
      problems.push({ path: at, message: `one event kind per entry, got ${kinds.join(", ")}` });
      return;
    }
    const kind = kinds[0] as EventKind;
    const payload = eventPayloads[kind].safeParse(e[kind]);
    if (!payload.success) {
      problems.push(...zodProblems(payload.error, ["events", index, kind]));
      return;
    }
    const p = payload.data as Record<string, unknown>;
    if (kind === "partition" || kind === "heal") {
      if (cp === null) {
        problems.push({ path: `${at}.${kind}`, message: "needs a controlPlane block with watchers" });
      } else if (typeof p.from === "string" && !cp.watchers.includes(p.from)) {
        problems.push({
          path: `${at}.${kind}.from`,
          message: `no watcher runs in ${p.from} (controlPlane.watchers: ${cp.watchers.join(", ")})`,
        });
      }
      knownRegion(p.to, `${at}.${kind}.to`);
      if (p.from === p.to) problems.push({ path: `${at}.${kind}.to`, message: "must differ from from" });
    } else if ((kind === "outage" || kind === "recover") && cp?.all.includes(p.region as string) === true) {
      // A region that only hosts control-plane parts can fail too.
    } else {
      for (const field of ["region", "to"]) {
        if (field in p && !(kind === "apiErrors" && p.service === "route53"))
          knownRegion(p[field], `${at}.${kind}.${field}`);
      }
    }
    if (kind === "apiErrors" && p.service !== "route53" && p.region === undefined) {
      problems.push({ path: `${at}.apiErrors.region`, message: `is required for ${String(p.service)}` });
    }
    if (
      kind === "apiErrors" &&
      p.service === "route53" &&
      p.region !== undefined &&
      p.region !== "us-east-1"
    ) {
      problems.push({ path: `${at}.apiErrors.region`, message: "Route 53's control plane is in us-east-1" });
    }
    if (kind === "deploy" && typeof p.version === "string" && !versions.includes(p.version)) {
      problems.push({
        path: `${at}.deploy.version`,
        message: `version ${p.version} has no behaviour in versions (known: ${versions.join(", ") || "none"})`,
      });
    }
    if (typeof time === "number") {
      events.push({ ...p, at: time, kind, index } as DrillEvent);
    }
  });

  const expectWriter = (doc.expect as Record<string, unknown> | undefined)?.finalWriter;
  knownRegion(expectWriter, "expect.finalWriter");

  if (problems.length > 0 || !shape.success) {
    return { ok: false, problems: dedupe(problems) };
  }
  const data = shape.data;
  const sorted = [...events].sort((a, b) => a.at - b.at || a.index - b.index);
  const scenario: Scenario = { ...data, writer: data.writer ?? data.regions[0], events: sorted, source };
  // The controller validates the config the scenario stands for as it would a stack file; refuse
  // here, with every problem, rather than when the drill starts.
  const built = scenarioConfig(scenario);
  if ("problems" in built) return { ok: false, problems: dedupe(built.problems) };
  return { ok: true, scenario };
}

/**
 * The control plane's regions, or null when the scenario has no `controlPlane` block. Duplicate
 * watchers and a DynamoDB store with fewer than three replicas (no majority survives a region)
 * are problems.
 */
function controlPlaneRegions(
  raw: unknown,
  problems: ScenarioProblem[],
): { readonly watchers: readonly string[]; readonly all: readonly string[] } | null {
  if (typeof raw !== "object" || raw === null) return null;
  const cp = raw as Record<string, unknown>;
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  const watchers = strings(cp.watchers);
  watchers.forEach((r, i) => {
    if (watchers.indexOf(r) !== i)
      problems.push({ path: `controlPlane.watchers[${i}]`, message: `duplicate region ${r}` });
  });
  const store = (typeof cp.stateStore === "object" && cp.stateStore !== null ? cp.stateStore : {}) as Record<
    string,
    unknown
  >;
  const storeRegions = store.kind === "s3" ? strings([store.region]) : strings(store.regions);
  if (store.kind === "dynamodb") {
    storeRegions.forEach((r, i) => {
      if (storeRegions.indexOf(r) !== i)
        problems.push({ path: `controlPlane.stateStore.regions[${i}]`, message: `duplicate region ${r}` });
    });
    if (Array.isArray(store.regions) && store.regions.length > 0 && store.regions.length < 3) {
      problems.push({
        path: "controlPlane.stateStore.regions",
        message: `a replicated store needs 3 regions so a majority survives one region's loss, got ${store.regions.length}`,
      });
    }
  }
  const backend = strings([cp.pulumiBackendRegion]);
  return { watchers, all: [...new Set([...watchers, ...storeRegions, ...backend])] };
}

/** Parses YAML text; syntax errors are problems too, with their line. */
export function parseScenarioText(text: string, source: string): ScenarioResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: `line ${at.line}, column ${at.col}`, message: e.message.split("\n")[0] };
      }),
    };
  }
  return validateScenario(doc.toJS() as unknown, source);
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
