import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/allPolicies";
import { evaluatePolicies } from "../../policy/offline/evaluate";
import type { GraphResource } from "../../policy/offline/graph";
import { validateOffline } from "../../policy/offline/offlineValidation";
import { DEV_STACK_ADVISORIES, find, type Res, violatedByLevel } from "./fixtures";

/**
 * The pack against the graph the real program registers for the shipped Pulumi.dev.yaml (run under
 * mocks in a child process, as `regionctl validate` does): every policy passes on it, and each one
 * fails when the graph is changed in the way that policy exists to catch.
 */

const ROOT = path.resolve(__dirname, "../..");
let graph: readonly GraphResource[] = [];
let facts: Record<string, unknown> = {};

beforeAll(async () => {
  const result = await validateOffline({ programDir: ROOT, stackFile: path.join(ROOT, "Pulumi.dev.yaml") });
  if (result.kind !== "evaluated") throw new Error(`dev config rejected: ${JSON.stringify(result.issues)}`);
  expect(violatedByLevel(result.evaluation.violations)).toEqual({
    mandatory: [],
    advisory: DEV_STACK_ADVISORIES,
  });
  graph = result.graph.resources;
  facts = { ...result.facts };
}, 180_000);

/** A fresh, mutable copy of the recorded graph. */
function dev(): Res[] {
  return structuredClone(graph) as Res[];
}

function set(resources: Res[], name: string, key: string, value: unknown): Res[] {
  const r = find(resources, name);
  r.inputs[key] = value;
  r.outputs[key] = value;
  return resources;
}

function drop(resources: Res[], name: string, key: string): Res[] {
  const r = find(resources, name);
  delete r.inputs[key];
  delete r.outputs[key];
  return resources;
}

/** Violations beyond the dev stack's known advisories. */
async function violated(resources: Res[], extraFacts: Record<string, unknown> = {}) {
  const { violations } = await evaluatePolicies(resources, { facts: { ...facts, ...extraFacts } });
  return violations.filter((v) => !DEV_STACK_ADVISORIES.includes(v.policy));
}

/** The policies a variant violates, each once. */
async function violatedPolicies(
  resources: Res[],
  extraFacts: Record<string, unknown> = {},
): Promise<string[]> {
  return [...new Set((await violated(resources, extraFacts)).map((v) => v.policy))];
}

describe("the policy pack on the dev stack's own resource graph", () => {
  it("records the program's resources with their provider regions", () => {
    const byType = (t: string) => graph.filter((r) => r.type === t);
    expect(
      byType("regionctl:index:RegionStack")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
    expect(byType("aws:rds/cluster:Cluster").map((r) => [r.name, r.region])).toEqual(
      expect.arrayContaining([
        ["us-east-1-db-cluster", "us-east-1"],
        ["us-west-2-db-cluster", "us-west-2"],
        ["eu-west-1-db-cluster", "eu-west-1"],
      ]),
    );
    expect(byType("aws:route53/healthCheck:HealthCheck").every((r) => r.region === "us-east-1")).toBe(true);
    const writer = graph.find((r) => r.name === "us-east-1-db-cluster");
    expect(writer?.inputSecretPaths).toContain("masterPassword");
  });

  it("passes every policy but the dev stack's known advisories, each applied on its own", async () => {
    for (const policy of policies) {
      const { violations } = await evaluatePolicies(graph, { policies: [policy], facts });
      if (DEV_STACK_ADVISORIES.includes(policy.name)) {
        expect(violations.length, policy.name).toBeGreaterThan(0);
        expect(new Set(violations.map((v) => v.enforcementLevel)), policy.name).toEqual(
          new Set(["advisory"]),
        );
      } else {
        expect(violations, policy.name).toEqual([]);
      }
    }
  });

  it("aurora-encryption-regional-kms: a secondary cluster using another region's KMS key", async () => {
    const g = dev();
    const writerKey = find(g, "us-east-1-db-kms");
    set(g, "us-west-2-db-cluster", "kmsKeyId", writerKey.outputs.arn);
    const secondary = find(g, "us-west-2-db-cluster");
    secondary.propertyDependencies = { ...secondary.propertyDependencies, kmsKeyId: [writerKey.urn] };
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["aurora-encryption-regional-kms", "us-west-2-db-cluster"],
    ]);
    expect(v[0].message).toContain("is in us-east-1 but the cluster is in us-west-2");
  });

  it("aurora-deletion-protection: mandatory in prod, advisory in dev", async () => {
    const g = set(dev(), "us-west-2-db-cluster", "deletionProtection", false);
    expect((await violated(g, { environment: "prod" })).map((x) => [x.policy, x.enforcementLevel])).toEqual([
      ["aurora-deletion-protection", "mandatory"],
    ]);
    expect((await violated(g)).map((x) => [x.policy, x.enforcementLevel])).toEqual([
      ["aurora-deletion-protection-nonprod", "advisory"],
    ]);
  });

  it("aurora-backup-retention: 3 days", async () => {
    expect(await violatedPolicies(set(dev(), "eu-west-1-db-cluster", "backupRetentionPeriod", 3))).toEqual([
      "aurora-backup-retention",
    ]);
  });

  it("aurora-no-public-instances: a public instance", async () => {
    const v = await violated(set(dev(), "eu-west-1-db-instance-2", "publiclyAccessible", true));
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["aurora-no-public-instances", "eu-west-1-db-instance-2"],
    ]);
  });

  it("aurora-global-cluster-regions: two members in one region", async () => {
    const g = dev();
    const twin = structuredClone(find(g, "eu-west-1-db-cluster"));
    g.push({ ...twin, name: "eu-west-1-db-cluster-2", urn: `${twin.urn}-2` });
    expect(await violatedPolicies(g)).toEqual(["aurora-global-cluster-regions"]);
  });

  it("route53-routed-records-health-checked: the PRIMARY record without its health check", async () => {
    const g = drop(dev(), "dns-primary", "healthCheckId");
    const primary = find(g, "dns-primary");
    primary.propertyDependencies = { ...primary.propertyDependencies, healthCheckId: [] };
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["route53-routed-records-health-checked", "dns-primary"],
    ]);
  });

  it("route53-health-check-timing: an interval Route 53 does not offer", async () => {
    expect(await violatedPolicies(set(dev(), "us-west-2-dns-health", "requestInterval", 15))).toEqual([
      "route53-health-check-timing",
    ]);
  });

  it("route53-health-checked-ttl: TTL 300", async () => {
    const v = await violated(set(dev(), "dns-primary", "ttl", 300));
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["route53-health-checked-ttl", "dns-primary"],
    ]);
  });

  it("route53-health-check-https: a plain HTTP check", async () => {
    expect(await violatedPolicies(set(dev(), "eu-west-1-dns-health", "type", "HTTP"))).toEqual([
      "route53-health-check-https",
    ]);
  });

  it("kubernetes-deployment-probes-limits: a container without a readiness probe", async () => {
    const g = dev();
    const spec = find(g, "us-west-2-app-green").inputs.spec as {
      template: { spec: { containers: Record<string, unknown>[] } };
    };
    delete spec.template.spec.containers[0].readinessProbe;
    expect(await violatedPolicies(g)).toEqual(["kubernetes-deployment-probes-limits"]);
  });

  it("kubernetes-sync-cronjob-forbid: a CronJob with Allow", async () => {
    const g = dev();
    (find(g, "us-west-2-sync-cronjob").inputs.spec as Record<string, unknown>).concurrencyPolicy = "Allow";
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["kubernetes-sync-cronjob-forbid", "us-west-2-sync-cronjob"],
    ]);
  });

  it("database-password-secret: the password as a plain stack output, or not a secret", async () => {
    const g = dev();
    const password = find(g, "global-db-master-password").outputs.result;
    expect(typeof password).toBe("string");
    const stack = g.find((r) => r.type === "pulumi:pulumi:Stack");
    if (stack === undefined) throw new Error("no Stack resource recorded");
    stack.outputs = { ...stack.outputs, databasePassword: password };
    expect((await violated(g)).map((x) => x.message)).toEqual([
      "stack output databasePassword holds the database password in plain text; export it with pulumi.secret() or not at all.",
    ]);

    const plain = dev();
    const writer = find(plain, "us-east-1-db-cluster");
    writer.inputSecretPaths = [];
    writer.outputSecretPaths = [];
    expect(await violatedPolicies(plain)).toEqual(["database-password-secret"]);
  });

  it("stack-region-coverage: a region without its health check", async () => {
    const g = dev().filter((r) => r.name !== "eu-west-1-dns-health");
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.resource?.name, x.message])).toEqual([
      ["stack-region-coverage", "eu-west-1", "region eu-west-1 is missing a Route 53 health check."],
    ]);
  });

  it("stack-single-writer and stack-failover-primary: a writer that is not the operational writer", async () => {
    const v = await violated(dev(), { writer: "us-west-2" });
    expect(v.map((x) => x.policy).sort()).toEqual(["stack-failover-primary", "stack-single-writer"]);
    expect(v.find((x) => x.policy === "stack-failover-primary")?.message).toBe(
      "the PRIMARY record dns-primary points at us-east-1 but the writer region is us-west-2.",
    );
  });

  it("stack-single-writer: two writers", async () => {
    const g = dev();
    find(g, "eu-west-1-db-cluster").inputs.tags = { role: "writer" };
    find(g, "eu-west-1-db-cluster").outputs.tags = { role: "writer" };
    expect(await violatedPolicies(g)).toEqual(["stack-single-writer"]);
  });

  it("stack-failover-primary: two PRIMARY records", async () => {
    expect(
      await violatedPolicies(set(dev(), "dns-secondary", "failoverRoutingPolicies", [{ type: "PRIMARY" }])),
    ).toEqual(["stack-failover-primary", "stack-failover-secondary"]);
  });
  it("database-secret-replicated and database-secret-cmk: a replica dropped, another on the AWS managed key", async () => {
    const g = dev();
    const secret = find(g, "global-db-secret-secret");
    const replicas = secret.inputs.replicas as { region: string; kmsKeyId?: string }[];
    const kept = replicas.filter((r) => r.region !== "eu-west-1").map((r) => ({ region: r.region }));
    set(g, "global-db-secret-secret", "replicas", kept);
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.enforcementLevel, x.resource?.name])).toEqual([
      ["database-secret-cmk", "mandatory", "global-db-secret-secret"],
      ["database-secret-replicated", "mandatory", "global-db-secret-secret"],
    ]);
    expect(v[1].message).toContain("has no replica in eu-west-1");
  });

  it("aurora-global-engine-versions: one member on another version", async () => {
    expect(await violatedPolicies(set(dev(), "us-west-2-db-cluster", "engineVersion", "15.8"))).toEqual([
      "aurora-global-engine-versions",
    ]);
  });

  it("advisories: a default admin name, no log exports, a privileged container", async () => {
    const g = set(dev(), "us-east-1-db-cluster", "masterUsername", "postgres");
    drop(g, "eu-west-1-db-cluster", "enabledCloudwatchLogsExports");
    const spec = find(g, "us-west-2-app-blue").inputs.spec as {
      template: { spec: { containers: { securityContext: Record<string, unknown> }[] } };
    };
    spec.template.spec.containers[0].securityContext.privileged = true;
    const v = await violated(g);
    expect(v.map((x) => [x.policy, x.enforcementLevel, x.resource?.name])).toEqual([
      ["aurora-admin-username", "advisory", "us-east-1-db-cluster"],
      ["aurora-log-exports", "advisory", "eu-west-1-db-cluster"],
      ["kubernetes-security-context", "advisory", "us-west-2-app-blue"],
    ]);
  });
});
