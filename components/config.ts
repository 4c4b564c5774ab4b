import { z } from "zod";
import { ConfigError, type ConfigIssue } from "./configError";
import { strongConsistencyPlacementIssues } from "./strongConsistencyRegions";

export { ConfigError, type ConfigIssue } from "./configError";

/**
 * The environment's desired state, as people write it in `Pulumi.<env>.yaml`.
 *
 * This module is plain TypeScript with no Pulumi runtime dependency, so the CLI, the drill and the
 * tests validate configs exactly as the program does.
 */

/** Every AWS commercial region regionctl knows; an unknown name is almost always a typo. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "ca-west-1",
  "sa-east-1",
  "mx-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
] as const;

/** Aurora global databases allow one primary and up to 10 secondary regions. */
export const MIN_REGIONS = 2;
export const MAX_REGIONS = 11;

/** A `{ secure: ... }` value as it appears in a stack file read without the Pulumi engine. */
const secureValue = z.object({ secure: z.string().min(1) }).strict();

const knownRegion = z.string().refine((r) => (AWS_REGIONS as readonly string[]).includes(r), {
  message: "unknown AWS region",
});

const regionSchema = z
  .object({
    region: z.string().refine((r) => (AWS_REGIONS as readonly string[]).includes(r), {
      message: "unknown AWS region",
    }),
    /** Host name Route 53 health-checks and the controller probes, e.g. app.us-east-1.dev.example.com. */
    endpoint: z
      .string({ required_error: "endpoint is required" })
      .min(1, "endpoint is required")
      .refine((e) => !/^[a-z]+:\/\//i.test(e) && !e.includes("/"), {
        message: "endpoint is a host name, without scheme or path",
      }),
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must look like vpc-0123456789abcdef0"),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must look like subnet-0123456789abcdef0"))
      .min(2, "Aurora needs subnets in at least 2 availability zones"),
    /** Kubeconfig contents for this region's cluster (a secret). One of kubeconfig or kubeContext. */
    kubeconfig: z.union([z.string().min(1), secureValue]).optional(),
    /** Context name in the ambient kubeconfig. One of kubeconfig or kubeContext. */
    kubeContext: z.string().min(1).optional(),
    /** Lower is preferred for failover. Default: 1 for the writer, 2 for every other region. */
    priority: z.number().int().min(1).max(100).optional(),
    /**
     * Name of the region's EKS cluster. The app's IAM role is bound to its service account there
     * with EKS Pod Identity (the cluster needs the `eks-pod-identity-agent` add-on).
     */
    clusterName: z
      .string({ required_error: "clusterName is required: the app's pod identity is bound in that cluster" })
      .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name: letters, digits, '-' and '_'"),
    /**
     * The EKS cluster security group (`aws eks describe-cluster --query
     * cluster.resourcesVpcConfig.clusterSecurityGroupId`). With `app.databaseAccess: pods` the app's
     * pods keep it beside the database clients group (cluster DNS, the load balancer); with `nodes`
     * the database admits it.
     */
    clusterSecurityGroupId: z
      .string({ required_error: "clusterSecurityGroupId is required: pods reach the database through it" })
      .regex(/^sg-[0-9a-f]{8,17}$/, "must look like sg-0123456789abcdef0"),
    /**
     * ACM certificate in this region valid for `endpoint`. The region's load balancer terminates
     * the Route 53 health checks' and clients' TLS with it.
     */
    certificateArn: z
      .string({ required_error: "certificateArn is required: the load balancer serves HTTPS with it" })
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
        "must look like arn:aws:acm:<region>:<account>:certificate/<id>",
      ),
  })
  .strict();

const databaseSchema = z
  .object({
    engine: z.enum(["aurora-postgresql", "aurora-mysql"]),
    engineVersion: z.string().min(1),
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must look like db.r6g.large"),
    /** Cluster instances per region. Default 2. */
    instances: z.number().int().min(1).max(16).default(2),
    /** Days of automated backups. Default 7. */
    backupRetentionDays: z.number().int().min(1).max(35).default(7),
    /** Default true. */
    deletionProtection: z.boolean().default(true),
    /** Managed RPO (`rds.global_db_rpo`), aurora-postgresql only. Default: unset (no guard). */
    rpoSeconds: z.number().int().min(20, "Aurora's managed RPO is at least 20 seconds").optional(),
  })
  .strict();

const healthCheckSchema = z
  .object({
    /** Default /health. */
    path: z.string().startsWith("/", "must start with /").default("/health"),
    /** Route 53 allows only 10 or 30. Default 10. */
    intervalSeconds: z
      .number()
      .refine((v) => v === 10 || v === 30, { message: "Route 53 allows 10 or 30" })
      .default(10),
    /** Route 53 allows 1 to 10. Default 3. */
    failureThreshold: z.number().int().min(1).max(10).default(3),
    /** Default 443. */
    port: z.number().int().min(1).max(65535).default(443),
    /** Seconds a direct probe waits for an answer. Default 6 (4 s connect + 2 s response, as Route 53). */
    timeoutSeconds: z.number().positive().max(60).default(6),
  })
  .strict();

const dnsSchema = z
  .object({
    zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must look like Z0123456789ABCDEFGHIJ"),
    /** The application's global name, e.g. app.dev.example.com. */
    name: z.string().min(1),
    /** Default failover. */
    routing: z.enum(["failover", "latency", "weighted"]).default("failover"),
    /** Seconds. Health-checked records must use 60 or less. Default 60. */
    ttl: z.number().int().min(0).max(60, "health-checked records need a TTL of 60 s or less").default(60),
    healthCheck: healthCheckSchema.default({}),
    /**
     * What moves traffic between regions. `health-check`: Route 53 health checks of each region's
     * endpoint. `arc`: Route 53 ARC routing controls that the controller flips through the ARC
     * cluster's data plane. Default health-check.
     */
    control: z.enum(["health-check", "arc"]).default("health-check"),
  })
  .strict();

const appSchema = z
  .object({
    image: z.string().min(1),
    version: z.string().min(1),
    /** Pods per region for the active colour. Default 3. */
    replicas: z.number().int().min(1).max(1000).default(3),
    /** Container port. Default 8080. */
    port: z.number().int().min(1).max(65535).default(8080),
    /** Kubernetes namespace. Default: the environment name. */
    namespace: z.string().optional(),
    /**
     * HTTP path of the liveness probe; it must not touch the database. Default: none, the probe
     * only opens the container port, so a database failover never restarts pods.
     */
    livenessPath: z.string().startsWith("/", "must start with /").optional(),
    /** Default 250m / 256Mi requests, 1 / 512Mi limits. */
    cpuRequest: z.string().default("250m"),
    memoryRequest: z.string().default("256Mi"),
    cpuLimit: z.string().default("1"),
    memoryLimit: z.string().default("512Mi"),
    /**
     * How the app's and sync job's pods reach the database. `pods`: a SecurityGroupPolicy gives them
     * the database clients group and the cluster security group (security groups for pods: the VPC
     * CNI with `ENABLE_POD_ENI=true`, Nitro nodes). `nodes`: the database admits the cluster security
     * group, so every pod on the nodes reaches it. Default pods.
     */
    databaseAccess: z.enum(["pods", "nodes"]).default("pods"),
  })
  .strict();

/** Every 5 minutes: the sync job's schedule unless the config sets one. */
export const DEFAULT_SYNC_SCHEDULE = "*/5 * * * *";

const syncSchema = z
  .object({
    /** Cron schedule of each secondary region's sync job. Default every 5 minutes. */
    schedule: z
      .string()
      .default(DEFAULT_SYNC_SCHEDULE)
      .refine(isValidCron, { message: "not a valid 5-field cron schedule" }),
    /** Rows per batch. Default 1000. */
    batchSize: z.number().int().min(1, "must be at least 1").default(1000),
    image: z.string().min(1),
    /** Seconds before a failed run is retried. Default 300. */
    retrySeconds: z.number().int().min(1).default(300),
  })
  .strict();

const releaseSchema = z
  .object({
    /** Default canary. */
    strategy: z.enum(["rolling", "blue-green", "canary"]).default("canary"),
    /** Seconds a health gate waits. Default 300. */
    healthTimeoutSeconds: z.number().int().min(1).default(300),
    /** Consecutive healthy probes a gate needs. Default 3. */
    healthyThreshold: z.number().int().min(1).max(20).default(3),
    /** Error rate at or above which a release rolls back. Default 0.2. */
    rollbackErrorRate: z
      .number()
      .gt(0, "must be between 0 and 1, exclusive")
      .lt(1, "must be between 0 and 1, exclusive")
      .default(0.2),
    /**
     * p95 latency in milliseconds at or above which a release rolls back, whatever the baseline.
     * Default 2000. Slower than the baseline by a significant 20 % also rolls back.
     */
    rollbackLatencyMs: z.number().int().min(1).default(2000),
    /** Canary traffic weights in percent. Default [10, 50, 100]. */
    canarySteps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .default([10, 50, 100])
      .superRefine((steps, ctx) => {
        for (let i = 1; i < steps.length; i++) {
          if (steps[i] <= steps[i - 1]) {
            ctx.addIssue({ code: "custom", message: "canary steps must be strictly increasing", path: [i] });
          }
        }
        if (steps[steps.length - 1] !== 100) {
          ctx.addIssue({ code: "custom", message: "canary steps must end at 100" });
        }
      }),
    /**
     * Seconds of bake time at each canary step and after each later wave, while the new version's
     * error rate and latency are compared with the regions still on the old one. 0 turns analysis
     * off (only the health gates remain). Default 300.
     */
    bakeSeconds: z.number().int().min(0).default(300),
    /** Regions updated at once in a wave. Default 1. */
    maxParallel: z.number().int().min(1).default(1),
    /** Seconds the old colour keeps running after a blue-green switch. Default 600. */
    scaleDownDelaySeconds: z.number().int().min(0).default(600),
    /** Metric samples an analysis needs before it may pass. Default 3. */
    minSamples: z.number().int().min(1).default(3),
    /** Consecutive failing samples that fail the analysis. Default 2. */
    consecutiveFailureLimit: z.number().int().min(1).default(2),
    /** Seconds between analysis samples. Default 60. */
    analysisIntervalSeconds: z.number().int().min(1).default(60),
  })
  .strict();

const failoverSchema = z
  .object({
    /** auto fails over on its own; manual only reports. Default auto. */
    mode: z.enum(["auto", "manual"]).default("auto"),
    /**
     * Consecutive failed observations before a region is unhealthy. Default 3. 1 is refused with
     * mode auto (one noisy observation must not fail over a healthy writer).
     */
    failureThreshold: z.number().int().min(1).max(10).default(3),
    /** Consecutive healthy observations before an unhealthy region is healthy again. Default 3. */
    recoveryThreshold: z.number().int().min(1).max(20).default(3),
    /** Health transitions within flapWindowSeconds that mark a region as flapping. Default 4. */
    flapTransitions: z.number().int().min(2).default(4),
    /** Default 600. */
    flapWindowSeconds: z.number().int().min(1).default(600),
    /** Seconds a flapping region is held out. Default 900. */
    flapCooldownSeconds: z.number().int().min(0).default(900),
    /** Largest replication lag a failover target may have. Default 60. */
    maxLagSeconds: z.number().positive().default(60),
    /**
     * A failover target whose recent probes fail more often than this is degraded: it is chosen
     * only when no healthy region is left. Default 0.05.
     */
    maxTargetErrorRate: z.number().min(0).max(1).default(0.05),
  })
  .strict();

const stateStoreSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("file"), directory: z.string().default(".regionctl") }).strict(),
    z
      .object({
        kind: z.literal("s3"),
        bucket: z.string().min(3),
        /** Default regionctl/<environment>.json. */
        key: z.string().optional(),
        region: z.string().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("dynamodb"),
        /** A global table with multi-Region strong consistency; one item per document. */
        table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "3 to 255 letters, digits, '_', '.' or '-'"),
        /** Replica regions, in the order the controller falls back through them. */
        regions: z.array(knownRegion),
        /** With two replica regions: the witness region that completes the quorum. */
        witness: knownRegion.optional(),
      })
      .strict(),
  ])
  .default({ kind: "file", directory: ".regionctl" });

/** A Kubernetes namespace name (an RFC 1123 label). */
const namespaceName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "a Kubernetes namespace: lower-case letters, digits and '-'",
  );

const controlPlaneSchema = z
  .object({
    /**
     * Regions whose Kubernetes cluster runs one `regionctl watch` replica, each told its own region
     * (`AWS_REGION`), so it uses its own state-store replica and probes from there. Each must be one
     * of `regions`, and they need a shared state store. Default none: the program deploys no watcher.
     */
    watchers: z.array(knownRegion).default([]),
    /** Container image whose entrypoint is `regionctl`. Required with watchers. */
    image: z.string().min(1).optional(),
    /** Kubernetes namespace of the watchers; not the app's. Default regionctl. */
    namespace: namespaceName.default("regionctl"),
    /**
     * An existing IAM role for the watchers, bound with IRSA (an annotation on their service
     * account). Default: the program makes a role per watcher region with the policy
     * `regionctl iam-policy` prints, bound with EKS Pod Identity.
     */
    serviceAccountRoleArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
        "must look like arn:aws:iam::<account>:role/<name>",
      )
      .optional(),
    /**
     * A Kubernetes Secret in the watchers' namespace whose keys become their environment, such as
     * the Pulumi backend's credentials (`PULUMI_ACCESS_TOKEN`, or `PULUMI_BACKEND_URL` and
     * `PULUMI_CONFIG_PASSPHRASE`). Default none.
     */
    envSecretName: z.string().min(1).optional(),
    /** CPU request of a watcher pod. Default 100m: it sleeps between observations. */
    cpuRequest: z.string().default("100m"),
    /** Memory request of a watcher pod. Default 512Mi. */
    memoryRequest: z.string().default("512Mi"),
    /** CPU limit of a watcher pod. Default 1. */
    cpuLimit: z.string().default("1"),
    /** Memory limit of a watcher pod. Default 2Gi: a stack update runs the Pulumi engine in the pod. */
    memoryLimit: z.string().default("2Gi"),
  })
  .strict();

export const environmentConfigSchema = z
  .object({
    /** From `aws:region`: where the global pieces' default provider lives. Default: the writer. */
    awsRegion: z.string().optional(),
    environment: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "lower-case letters, digits and dashes"),
    writer: z.string(),
    regions: z.array(regionSchema),
    database: databaseSchema,
    dns: dnsSchema,
    app: appSchema,
    sync: syncSchema,
    release: releaseSchema.default({}),
    failover: failoverSchema.default({}),
    stateStore: stateStoreSchema,
    /**
     * The controller's own placement: `regionctl watch` replicas the program deploys on the
     * regions' clusters, one leading by lease, so the watcher survives the loss of any one region.
     */
    controlPlane: controlPlaneSchema.default({}),
  })
  .strict();

/**
 * Checks across fields. They run on the raw input, beside the schema, because zod skips an object's
 * refinements once any field fails, and users must see every problem at once.
 */
function crossFieldIssues(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof raw !== "object" || raw === null) {
    return issues;
  }
  const c = raw as Record<string, unknown>;
  const regions = Array.isArray(c.regions) ? (c.regions as unknown[]) : [];
  if (Array.isArray(c.regions) && (regions.length < MIN_REGIONS || regions.length > MAX_REGIONS)) {
    issues.push({
      path: "regionctl:regions",
      message: `needs ${MIN_REGIONS} to ${MAX_REGIONS} regions (one writer and up to 10 secondaries), got ${regions.length}`,
    });
  }
  const names: string[] = [];
  regions.forEach((r, i) => {
    const entry = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
    const name = entry.region;
    if (typeof name === "string") {
      if (names.includes(name)) {
        issues.push({ path: `regionctl:regions[${i}].region`, message: `duplicate region ${name}` });
      }
      names.push(name);
    }
    if (entry.kubeconfig === undefined && entry.kubeContext === undefined) {
      issues.push({ path: `regionctl:regions[${i}]`, message: "needs kubeconfig or kubeContext" });
    }
    const certRegion =
      typeof entry.certificateArn === "string" ? entry.certificateArn.split(":")[3] : undefined;
    if (typeof name === "string" && certRegion !== undefined && certRegion !== "" && certRegion !== name) {
      // A load balancer can only use a certificate from its own region.
      issues.push({
        path: `regionctl:regions[${i}].certificateArn`,
        message: `the certificate is in ${certRegion}, but a load balancer in ${name} needs one from ${name}`,
      });
    }
  });
  if (typeof c.writer === "string" && Array.isArray(c.regions) && !names.includes(c.writer)) {
    issues.push({ path: "regionctl:writer", message: `writer ${c.writer} is not among the regions` });
  }
  const db = (typeof c.database === "object" && c.database !== null ? c.database : {}) as Record<
    string,
    unknown
  >;
  if (db.rpoSeconds !== undefined && db.engine !== "aurora-postgresql") {
    issues.push({
      path: "regionctl:database.rpoSeconds",
      message: "managed RPO (rds.global_db_rpo) exists only for aurora-postgresql",
    });
  }
  issues.push(...stateStoreIssues(c.stateStore));
  issues.push(...controlPlaneIssues(c, names));
  const failover = (typeof c.failover === "object" && c.failover !== null ? c.failover : {}) as Record<
    string,
    unknown
  >;
  if ((failover.mode ?? "auto") === "auto" && failover.failureThreshold === 1) {
    // One failed observation is one noisy probe or one dropped packet; acting on it alone fails over
    // a healthy writer and loses the writes still replicating.
    issues.push({
      path: "regionctl:failover.failureThreshold",
      message:
        "1 is refused with mode auto: one noisy observation would fail over a healthy writer; use 2 or more, or mode manual",
    });
  }
  return issues;
}

function stateStoreIssues(raw: unknown): ConfigIssue[] {
  const store = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (store.kind !== "dynamodb" || !Array.isArray(store.regions)) return [];
  const regions = (store.regions as unknown[]).filter((r): r is string => typeof r === "string");
  const witness = typeof store.witness === "string" ? store.witness : undefined;
  return strongConsistencyPlacementIssues(regions, witness).map((i) => ({
    path: `regionctl:stateStore.${i.field}`,
    message: i.message,
  }));
}

/** The watchers' placement against the rest of the config. */
function controlPlaneIssues(c: Record<string, unknown>, regions: readonly string[]): ConfigIssue[] {
  const raw = c.controlPlane;
  if (typeof raw !== "object" || raw === null) return [];
  const plane = raw as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  const watchers = Array.isArray(plane.watchers) ? (plane.watchers as unknown[]) : [];
  watchers.forEach((w, i) => {
    if (typeof w !== "string") return;
    const path = `regionctl:controlPlane.watchers[${i}]`;
    if (watchers.indexOf(w) !== i) issues.push({ path, message: `duplicate region ${w}` });
    else if (Array.isArray(c.regions) && !regions.includes(w)) {
      issues.push({
        path,
        message: `${w} is not one of the environment's regions (${regions.join(", ")}): a watcher runs on a region's cluster`,
      });
    }
  });
  if (watchers.length === 0) return issues;
  if (plane.image === undefined) {
    issues.push({ path: "regionctl:controlPlane.image", message: "is required with watchers" });
  }
  const store = (typeof c.stateStore === "object" && c.stateStore !== null ? c.stateStore : {}) as Record<
    string,
    unknown
  >;
  const directory = typeof store.directory === "string" ? store.directory : ".regionctl";
  if ((store.kind ?? "file") === "file" && !directory.startsWith("/")) {
    // Each replica would keep its own document and lease and act as leader. An absolute directory
    // may be a volume the pods share (and is how `regionctl validate` stands in for the real store).
    issues.push({
      path: "regionctl:controlPlane.watchers",
      message:
        "watchers need a shared state store (regionctl:stateStore kind dynamodb, or s3): a file store under the project lives in one pod",
    });
  }
  const app = (typeof c.app === "object" && c.app !== null ? c.app : {}) as Record<string, unknown>;
  const appNamespace = app.namespace ?? c.environment;
  if ((plane.namespace ?? "regionctl") === appNamespace) {
    issues.push({
      path: "regionctl:controlPlane.namespace",
      message: `is the app's namespace ${String(appNamespace)}; the watchers need their own`,
    });
  }
  return issues;
}

export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
export type RegionConfig = EnvironmentConfig["regions"][number];
export type ReleaseConfig = EnvironmentConfig["release"];
export type FailoverConfig = EnvironmentConfig["failover"];
export type Strategy = ReleaseConfig["strategy"];
export type Routing = EnvironmentConfig["dns"]["routing"];
export type TrafficControlKind = EnvironmentConfig["dns"]["control"];
export type ControlPlaneConfig = EnvironmentConfig["controlPlane"];

export type ConfigResult =
  | { readonly ok: true; readonly config: EnvironmentConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Validates a raw config object (keys without the `regionctl:` namespace) and reports every problem. */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = environmentConfigSchema.safeParse(raw);
  const issues = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ path: formatKeyPath(i.path), message: i.message }))),
    ...crossFieldIssues(raw),
  ];
  if (parsed.success && issues.length === 0) {
    return { ok: true, config: parsed.data };
  }
  return { ok: false, issues: dedupe(issues) };
}

/** Like validateConfig, but throws a ConfigError listing every problem. */
export function parseConfig(raw: unknown): EnvironmentConfig {
  const result = validateConfig(raw);
  if (!result.ok) {
    throw new ConfigError(result.issues);
  }
  return result.config;
}

/** Keys of the raw config object, as they appear in a stack file under the `regionctl:` namespace. */
export const CONFIG_KEYS = [
  "environment",
  "writer",
  "regions",
  "database",
  "dns",
  "app",
  "sync",
  "release",
  "failover",
  "stateStore",
  "controlPlane",
] as const;

/**
 * Turns the `config:` map of a stack file into the raw object validateConfig takes. Unknown
 * `regionctl:` keys are kept so that validation reports them; other namespaces are ignored.
 */
export function rawConfigFromStackConfig(stackConfig: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stackConfig)) {
    if (key === "aws:region") {
      raw.awsRegion = value;
    } else if (key.startsWith("regionctl:")) {
      raw[key.slice("regionctl:".length)] = value;
    }
  }
  return raw;
}

function formatKeyPath(path: readonly (string | number)[]): string {
  if (path.length === 0) {
    return "regionctl";
  }
  const [head, ...rest] = path;
  const root = head === "awsRegion" ? "aws:region" : `regionctl:${String(head)}`;
  return rest.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${p}`), root);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isValidCron(expr: string): boolean {
  if (expr.trim().split(/\s+/).length !== 5) {
    return false;
  }
  // The default is valid (a test holds it to the parser): most configs never pay for loading the
  // parser and its date library, which costs about as much as starting Node.
  if (expr === DEFAULT_SYNC_SCHEDULE) return true;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("cron-parser") as typeof import("cron-parser")).parseExpression(expr);
    return true;
  } catch {
    return false;
  }
}

/** Failover priority: the config's, else 1 for the writer and 2 for the rest. */
export function regionPriority(config: EnvironmentConfig, region: string, writer = config.writer): number {
  const r = config.regions.find((x) => x.region === region);
  return r?.priority ?? (region === writer ? 1 : 2);
}
