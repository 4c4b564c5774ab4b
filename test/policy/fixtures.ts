import type { Policies } from "@pulumi/policy";
import { runtime } from "@pulumi/pulumi";
import { evaluatePolicies, type PolicyPackConfig, type PolicyViolation } from "../../policy/offline/evaluate";
import type { GraphResource } from "../../policy/offline/graph";

/**
 * Hand-made resource graphs shaped like the program's (per-region providers, RegionStack
 * components, Aurora global database, Route 53 failover routing, blue/green Deployments, sync
 * CronJobs), for testing each policy without running the program.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type Res = Mutable<GraphResource>;

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:dev::regionctl::${type}::${name}`;
}

export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown> = {},
  extra: Partial<Res> = {},
): Res {
  return {
    urn: urnOf(type, name),
    type,
    name,
    custom: !type.startsWith("regionctl:") && type !== "pulumi:pulumi:Stack",
    inputs,
    outputs: extra.outputs ?? inputs,
    inputSecretPaths: [],
    outputSecretPaths: [],
    dependencies: [],
    propertyDependencies: {},
    ...extra,
  };
}

export interface StackShape {
  regions?: string[];
  writer?: string;
  environment?: string;
  /** Regions that run a `regionctl watch` replica. Default none. */
  watchers?: string[];
}

const ACCOUNT = "123456789012";
export const PASSWORD = "s3cr3t-generated-password";

/** A graph that every policy accepts: the baseline each test breaks in one place. */
export function goodStack(shape: StackShape = {}): Res[] {
  const regions = shape.regions ?? ["us-east-1", "us-west-2", "eu-west-1"];
  const writer = shape.writer ?? regions[0];
  const env = shape.environment ?? "dev";
  const stack = res("pulumi:pulumi:Stack", `regionctl-${env}`, {});
  const global = res("aws:rds/globalCluster:GlobalCluster", `${env}-global`, {
    globalClusterIdentifier: `${env}-global`,
    engine: "aurora-postgresql",
    engineVersion: "16.4",
    storageEncrypted: true,
    deletionProtection: true,
  });
  const password = res(
    "random:index/randomPassword:RandomPassword",
    "db-password",
    { length: 32 },
    {
      outputs: { length: 32, result: PASSWORD },
      outputSecretPaths: ["result"],
    },
  );
  const routing = res("regionctl:index:FailoverRouting", "routing", {});
  const globalProvider = res("pulumi:providers:aws", "global-aws", { region: "us-east-1" });
  const out: Res[] = [stack, global, password, routing, globalProvider];

  for (const region of regions) {
    const isWriter = region === writer;
    const rs = res("regionctl:index:RegionStack", region, {}, { parent: stack.urn });
    const aws = res("pulumi:providers:aws", `${region}-aws`, { region }, { parent: rs.urn });
    const k8s = res(
      "pulumi:providers:kubernetes",
      `${region}-k8s`,
      { kubeconfig: "..." },
      { parent: rs.urn },
    );
    const keyArn = `arn:aws:kms:${region}:${ACCOUNT}:key/${region}-key`;
    const key = res(
      "aws:kms/key:Key",
      `${region}-db-key`,
      { enableKeyRotation: true },
      {
        parent: rs.urn,
        provider: aws.urn,
        region,
        outputs: { enableKeyRotation: true, arn: keyArn },
      },
    );
    const clusterInputs: Record<string, unknown> = {
      clusterIdentifier: `${env}-${region}`,
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      globalClusterIdentifier: `${env}-global`,
      storageEncrypted: true,
      kmsKeyId: keyArn,
      iamDatabaseAuthenticationEnabled: true,
      deletionProtection: true,
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      ...(isWriter ? { masterUsername: "regionctl", masterPassword: PASSWORD } : {}),
    };
    const cluster = res("aws:rds/cluster:Cluster", `${region}-db`, clusterInputs, {
      parent: rs.urn,
      provider: aws.urn,
      region,
      inputSecretPaths: isWriter ? ["masterPassword"] : [],
      outputSecretPaths: isWriter ? ["masterPassword"] : [],
      dependencies: [key.urn, global.urn, ...(isWriter ? [password.urn] : [])],
      propertyDependencies: {
        kmsKeyId: [key.urn],
        globalClusterIdentifier: [global.urn],
        ...(isWriter ? { masterPassword: [password.urn] } : {}),
      },
    });
    const instances = [0, 1].map((i) =>
      res(
        "aws:rds/clusterInstance:ClusterInstance",
        `${region}-db-${i}`,
        {
          clusterIdentifier: `${env}-${region}`,
          instanceClass: "db.r6g.large",
          engine: "aurora-postgresql",
          publiclyAccessible: false,
        },
        { parent: rs.urn, provider: aws.urn, region },
      ),
    );
    const deployments = ["blue", "green"].map((color) =>
      res(
        "kubernetes:apps/v1:Deployment",
        `${region}-app-${color}`,
        {
          metadata: { name: `app-${color}` },
          spec: {
            replicas: color === "blue" ? 3 : 0,
            template: {
              spec: {
                containers: [
                  {
                    name: "app",
                    image: `registry.example.com/shop/web@sha256:${"0".repeat(64)}`,
                    securityContext: {
                      runAsNonRoot: true,
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                    },
                    readinessProbe: { httpGet: { path: "/health", port: 8080 } },
                    livenessProbe: { httpGet: { path: "/health", port: 8080 } },
                    resources: {
                      requests: { cpu: "250m", memory: "256Mi" },
                      limits: { cpu: "1", memory: "512Mi" },
                    },
                  },
                ],
              },
            },
          },
        },
        { parent: rs.urn, provider: k8s.urn },
      ),
    );
    const cron = isWriter
      ? []
      : [
          res(
            "kubernetes:batch/v1:CronJob",
            `${region}-sync`,
            {
              spec: { schedule: "*/5 * * * *", concurrencyPolicy: "Forbid", jobTemplate: {} },
            },
            { parent: rs.urn, provider: k8s.urn },
          ),
        ];
    const hc = res(
      "aws:route53/healthCheck:HealthCheck",
      `${region}-health`,
      {
        type: "HTTPS",
        fqdn: `app.${region}.${env}.example.com`,
        port: 443,
        resourcePath: "/health",
        requestInterval: 10,
        failureThreshold: 3,
        measureLatency: true,
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
      },
      { parent: routing.urn, provider: globalProvider.urn, region: "us-east-1", outputs: {} },
    );
    hc.outputs = { ...hc.inputs, id: `hc-${region}` };
    const record = res(
      "aws:route53/record:Record",
      `${region}-record`,
      {
        zoneId: "Z0123456789ABCDEFGHIJ",
        name: `app.${env}.example.com`,
        type: "CNAME",
        ttl: 60,
        setIdentifier: region,
        records: [`app.${region}.${env}.example.com`],
        failoverRoutingPolicies: [{ type: isWriter ? "PRIMARY" : "SECONDARY" }],
        healthCheckId: `hc-${region}`,
      },
      {
        parent: routing.urn,
        provider: globalProvider.urn,
        region: "us-east-1",
        propertyDependencies: { healthCheckId: [hc.urn] },
      },
    );
    const watcher = (shape.watchers ?? []).includes(region)
      ? [watcherDeployment(region, rs.urn, k8s.urn)]
      : [];
    out.push(rs, aws, k8s, key, cluster, ...instances, ...deployments, ...cron, ...watcher, hc, record);
  }
  const keyArnOf = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${region}-key`;
  out.push(
    res(
      "aws:secretsmanager/secret:Secret",
      "db-secret",
      {
        name: `regionctl/${env}/database`,
        kmsKeyId: keyArnOf("us-east-1"),
        replicas: regions.filter((r) => r !== "us-east-1").map((r) => ({ region: r, kmsKeyId: keyArnOf(r) })),
        tags: { "regionctl:rotation": "controller" },
      },
      { parent: stack.urn, provider: globalProvider.urn, region: "us-east-1" },
    ),
  );
  stack.outputs = { globalClusterId: `${env}-global`, writerRegion: writer };
  return out;
}

/** A `regionctl watch` replica as the program renders it, labelled with its region. */
function watcherDeployment(region: string, parent: string, provider: string): Res {
  return res(
    "kubernetes:apps/v1:Deployment",
    `${region}-watcher-deployment`,
    {
      metadata: {
        name: "regionctl-watch",
        namespace: "regionctl",
        labels: { "app.kubernetes.io/name": "regionctl-watch", "regionctl.io/region": region },
      },
      spec: {
        replicas: 1,
        template: {
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "watch",
                image: `ghcr.io/acme/regionctl@sha256:${"1".repeat(64)}`,
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                readinessProbe: { exec: { command: ["node", "-e", "0"] } },
                livenessProbe: { exec: { command: ["node", "-e", "0"] } },
                resources: {
                  requests: { cpu: "100m", memory: "512Mi" },
                  limits: { cpu: "1", memory: "2Gi" },
                },
              },
            ],
          },
        },
      },
    },
    { parent, provider },
  );
}

/** The resource named `name`; throws when the fixture has none, so a typo cannot pass a test. */
export function find(resources: Res[], name: string): Res {
  const r = resources.find((x) => x.name === name);
  if (r === undefined) throw new Error(`fixture has no resource ${name}`);
  return r;
}

/** Sets inputs (and the matching outputs) of the resource named `name`; `undefined` removes a key. */
export function patch(resources: Res[], name: string, inputs: Record<string, unknown>): Res[] {
  const r = find(resources, name);
  for (const [k, v] of Object.entries(inputs)) {
    for (const bag of [r.inputs, r.outputs]) {
      if (v === undefined) delete bag[k];
      else bag[k] = v;
    }
  }
  return resources;
}

/** Pulumi's marker for a value computed during the update (a new key's ARN in a preview). */
export const UNKNOWN = runtime.unknownValue;

export async function violationsOf(
  policies: Policies,
  resources: readonly GraphResource[],
  config: PolicyPackConfig = {},
  facts: Record<string, unknown> = {},
): Promise<PolicyViolation[]> {
  return [...(await evaluatePolicies(resources, { policies, config, facts })).violations];
}

/** Like violationsOf, as `pulumi preview` runs policies: reading an UNKNOWN value throws. */
export async function previewViolationsOf(
  policies: Policies,
  resources: readonly GraphResource[],
): Promise<PolicyViolation[]> {
  return [...(await evaluatePolicies(resources, { policies, preview: true })).violations];
}

/**
 * The advisory the shipped dev stack draws on purpose: its images are tagged by version (a digest
 * per release is the team's choice).
 */
export const DEV_STACK_ADVISORIES = ["kubernetes-image-digest"];

/** The policies a list of violations names, each once and sorted, split by enforcement. */
export function violatedByLevel(violations: readonly PolicyViolation[]): {
  mandatory: string[];
  advisory: string[];
} {
  const names = (level: string) =>
    [...new Set(violations.filter((v) => v.enforcementLevel === level).map((v) => v.policy))].sort();
  return { mandatory: names("mandatory"), advisory: names("advisory") };
}
