import { beforeAll, describe, expect, it } from "vitest";
import { APP_NAME, NAME_LABEL } from "../../components/appSpec";
import { validateConfig } from "../../components/config";
import { DatabaseAccess } from "../../components/databaseAccess";
import { securityGroupPolicySpec } from "../../components/podSecurityGroupPolicy";
import { SYNC_NAME } from "../../components/syncJobSpec";
import { type MockRecorder, runMocked, runProgram } from "./mockRuntime";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";

const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SGP = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];

/** Mock ids are `<resource name>-id`. */
const clientsGroup = (region: string) => `${region}-db-clients-id`;
const databaseGroup = (region: string) => `${region}-db-sg-id`;

describe("DatabaseAccess with security groups for pods (the default)", () => {
  let rec: MockRecorder;
  const config = validConfig();
  beforeAll(async () => {
    rec = (await runProgram({ config: rawConfig() })).recorder;
  });

  it("defaults app.databaseAccess to pods", () => {
    expect(config.app.databaseAccess).toBe("pods");
  });

  it("lets the clients group reach the database port, and nothing else", () => {
    for (const region of REGIONS) {
      const egress = rec.named(`${region}-db-access-clients-egress`, EGRESS);
      expect(egress.inputs).toMatchObject({
        securityGroupId: clientsGroup(region),
        referencedSecurityGroupId: databaseGroup(region),
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
      });
      expect(rec.regionOf(egress)).toBe(region);
      const ingress = rec.named(`${region}-db-ingress`, INGRESS);
      expect(ingress.inputs).toMatchObject({
        securityGroupId: databaseGroup(region),
        referencedSecurityGroupId: clientsGroup(region),
        fromPort: 5432,
      });
    }
    expect(rec.ofType(INGRESS).map((r) => r.name)).not.toContain("us-east-1-db-access-nodes-ingress");
  });

  it("gives the app's and sync job's pods the clients group and the cluster group", () => {
    for (const [i, region] of REGIONS.entries()) {
      const policy = rec.named(`${region}-app-sgp`, SGP);
      expect(policy.inputs.metadata).toMatchObject({ namespace: "dev" });
      expect(policy.inputs.spec.securityGroups.groupIds).toEqual([
        clientsGroup(region),
        config.regions[i].clusterSecurityGroupId,
      ]);
      expect(policy.inputs.spec.podSelector.matchExpressions).toEqual([
        { key: NAME_LABEL, operator: "In", values: [APP_NAME, SYNC_NAME] },
      ]);
      expect(rec.providerOf(policy)?.name).toBe(`${region}-k8s`);
    }
  });

  it("creates the pods only after their security group policy and service account", () => {
    for (const region of REGIONS) {
      for (const color of ["blue", "green"]) {
        const deployment = rec.named(`${region}-app-${color}`, DEPLOYMENT);
        expect(rec.dependsOn(deployment, rec.named(`${region}-app-sgp`, SGP))).toBe(true);
        expect(rec.dependsOn(deployment, rec.named(`${region}-app-sa`))).toBe(true);
      }
    }
  });
});

describe("DatabaseAccess through the nodes", () => {
  let rec: MockRecorder;
  const raw = withPatch((c) => {
    c.app.databaseAccess = "nodes";
    c.database.engine = "aurora-mysql";
    c.database.engineVersion = "8.0.mysql_aurora.3.05.2";
    delete c.database.rpoSeconds;
  });
  beforeAll(async () => {
    rec = (await runProgram({ config: raw })).recorder;
  });

  it("admits the cluster security group on the engine's port, both ways", () => {
    raw.regions.forEach((r: { region: string; clusterSecurityGroupId: string }) => {
      expect(rec.named(`${r.region}-db-access-nodes-ingress`, INGRESS).inputs).toMatchObject({
        securityGroupId: databaseGroup(r.region),
        referencedSecurityGroupId: r.clusterSecurityGroupId,
        fromPort: 3306,
        toPort: 3306,
      });
      expect(rec.named(`${r.region}-db-access-nodes-egress`, EGRESS).inputs).toMatchObject({
        securityGroupId: r.clusterSecurityGroupId,
        referencedSecurityGroupId: databaseGroup(r.region),
        fromPort: 3306,
      });
    });
  });

  it("makes no SecurityGroupPolicy", () => {
    expect(rec.ofType(SGP)).toEqual([]);
  });
});

describe("database access config", () => {
  const issuesAt = (raw: unknown, key: string) => {
    const result = validateConfig(raw);
    return result.ok ? [] : result.issues.filter((i) => i.path === key).map((i) => i.message);
  };

  it("refuses a region without its cluster security group, naming the key", () => {
    const raw = withPatch((c) => delete c.regions[1].clusterSecurityGroupId);
    expect(issuesAt(raw, "regionctl:regions[1].clusterSecurityGroupId")).toEqual([
      "clusterSecurityGroupId is required: pods reach the database through it",
    ]);
  });

  it("refuses a malformed security group id and an unknown access mode", () => {
    const raw = withPatch((c) => {
      c.regions[0].clusterSecurityGroupId = "eks-cluster-sg";
      c.app.databaseAccess = "vpc";
    });
    expect(issuesAt(raw, "regionctl:regions[0].clusterSecurityGroupId")).toEqual([
      "must look like sg-0123456789abcdef0",
    ]);
    expect(issuesAt(raw, "regionctl:app.databaseAccess")).toHaveLength(1);
  });
});

describe("DatabaseAccess arguments", () => {
  const args = {
    mode: "pods" as const,
    port: 5432,
    clientSecurityGroupId: "sg-1",
    databaseSecurityGroupId: "sg-2",
    clusterSecurityGroupId: "sg-3",
  };

  it("refuses a port outside 1..65535 before registering anything", async () => {
    await expect(runMocked(() => new DatabaseAccess("a", { ...args, port: 0 }))).rejects.toThrow(
      /port must be an integer from 1 to 65535, got 0/,
    );
  });

  it("a SecurityGroupPolicy needs a group", () => {
    expect(() => securityGroupPolicySpec([])).toThrow(/at least one security group/);
  });
});
