import { beforeAll, describe, expect, it } from "vitest";
import { AuroraGlobalDatabase, PASSWORD_IGNORE_CHANGES } from "../../components/auroraGlobalDatabase";
import { MEMBER_CLUSTER_IGNORE_CHANGES } from "../../components/auroraSettings";
import {
  type MockRecorder,
  type ProgramRun,
  type RecordedResource,
  resolveOutput,
  runMocked,
  runProgram,
} from "./mockRuntime";
import { initialState } from "../../components/operationalState";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";

const T = {
  global: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  key: "aws:kms/key:Key",
  params: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  subnets: "aws:rds/subnetGroup:SubnetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  regionStack: "regionctl:index:RegionStack",
};

function regionStackOf(rec: MockRecorder, r: RecordedResource): string | undefined {
  return rec.ancestorOfType(r, T.regionStack)?.name;
}

describe("AuroraGlobalDatabase in a 3-region environment", () => {
  let run: ProgramRun;
  let rec: MockRecorder;
  let clusters: RecordedResource[];
  const config = validConfig();

  beforeAll(async () => {
    run = await runProgram({ config: rawConfig() });
    rec = run.recorder;
    clusters = rec.ofType(T.cluster);
  });

  it("creates one member cluster per region, each under its RegionStack with that region's provider", () => {
    expect(clusters.map((c) => regionStackOf(rec, c)).sort()).toEqual(
      config.regions.map((r) => r.region).sort(),
    );
    for (const c of clusters) {
      const region = regionStackOf(rec, c);
      const provider = rec.providerOf(c);
      expect(provider?.name).toBe(`${region}-aws`);
      expect(provider?.inputs.region).toBe(region);
      expect(regionStackOf(rec, provider as RecordedResource)).toBe(region);
    }
  });

  it("encrypts each cluster with a KMS key created in its own region", () => {
    for (const c of clusters) {
      const region = regionStackOf(rec, c) as string;
      const key = rec.named(`${region}-db-kms`, T.key);
      expect(rec.regionOf(key)).toBe(region);
      expect(c.inputs.storageEncrypted).toBe(true);
      expect(c.inputs.kmsKeyId).toBe(`arn:aws:kms:${region}:123456789012:key/${region}-db-kms`);
      expect(key.inputs.enableKeyRotation).toBe(true);
    }
    const keyIds = clusters.map((c) => c.inputs.kmsKeyId);
    expect(new Set(keyIds).size).toBe(clusters.length);
  });

  it("makes the writer's cluster the primary and every secondary depend on it and its instances", () => {
    const primary = rec.named("us-east-1-db-cluster", T.cluster);
    const primaryInstances = rec.ofType(T.instance).filter((i) => regionStackOf(rec, i) === "us-east-1");
    expect(primaryInstances).toHaveLength(2);
    for (const c of clusters.filter((x) => x !== primary)) {
      expect(rec.dependsOn(c, primary)).toBe(true);
      for (const i of primaryInstances) expect(rec.dependsOn(c, i)).toBe(true);
    }
    for (const other of clusters) expect(rec.dependsOn(primary, other)).toBe(false);
  });

  it("gives master credentials to the primary only, the password as a secret", () => {
    const primary = rec.named("us-east-1-db-cluster", T.cluster);
    expect(primary.inputs.masterUsername).toBe("regionctl_admin");
    expect(primary.inputs.masterPassword).toMatch(/^mock-password-global-db-master-password/);
    expect(primary.secretInputs).toContain("masterPassword");
    for (const c of clusters.filter((x) => x !== primary)) {
      expect(c.inputs.masterUsername).toBeUndefined();
      expect(c.inputs.masterPassword).toBeUndefined();
    }
  });

  it("joins every member to the global cluster with the global cluster's engine and version", () => {
    const [global] = rec.ofType(T.global);
    expect(global.inputs).toMatchObject({
      globalClusterIdentifier: "dev-global",
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      storageEncrypted: true,
      deletionProtection: true,
    });
    for (const c of clusters) {
      expect(c.inputs.globalClusterIdentifier).toBe(global.inputs.globalClusterIdentifier);
      expect(rec.dependsOn(c, global)).toBe(true);
      expect(c.inputs.engine).toBe(global.inputs.engine);
      expect(c.inputs.engineVersion).toBe(global.inputs.engineVersion);
    }
    for (const i of rec.ofType(T.instance)) {
      expect(i.inputs.engine).toBe(global.inputs.engine);
      expect(i.inputs.engineVersion).toBe(global.inputs.engineVersion);
    }
  });

  it("keeps the global cluster on the global provider, outside every RegionStack", () => {
    const [global] = rec.ofType(T.global);
    expect(rec.providerOf(global)?.name).toBe("global-aws");
    expect(rec.regionOf(global)).toBe("us-east-1");
    expect(regionStackOf(rec, global)).toBeUndefined();
  });

  it("sets deletion protection, backups, copy-tags-to-snapshot and a final snapshot on every member", () => {
    for (const c of clusters) {
      expect(c.inputs).toMatchObject({
        deletionProtection: true,
        backupRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        skipFinalSnapshot: false,
      });
    }
  });

  it("names each member's final snapshot with a suffix made per create, so a second destroy finds the name free", () => {
    const names = new Set<string>();
    for (const c of clusters) {
      const region = regionStackOf(rec, c) as string;
      const suffix = rec.named(`${region}-db-final-snapshot`, "random:index/randomId:RandomId");
      expect(rec.parentOf(suffix)?.name).toBe(rec.parentOf(c)?.name);
      expect(suffix.inputs.byteLength).toBe(4);
      expect(rec.dependsOn(c, suffix)).toBe(true);
      expect(String(c.inputs.finalSnapshotIdentifier)).toMatch(
        new RegExp(`^${String(c.inputs.clusterIdentifier)}-final-[0-9a-f]{8}$`),
      );
      // RDS snapshot names: a letter first, letters, digits and single hyphens, at most 255.
      expect(c.inputs.finalSnapshotIdentifier).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
      names.add(String(c.inputs.finalSnapshotIdentifier));
    }
    expect(names.size).toBe(clusters.length);
  });

  it("ignores the properties a switchover, failover or global upgrade rewrites", () => {
    for (const c of clusters) {
      expect([...c.ignoreChanges].sort()).toEqual([...MEMBER_CLUSTER_IGNORE_CHANGES].sort());
    }
    for (const i of rec.ofType(T.instance)) expect(i.ignoreChanges).toEqual(["engineVersion"]);
  });

  it("never replaces the master password: protected, every input frozen", () => {
    const [password] = rec.ofType("random:index/randomPassword:RandomPassword");
    expect(password.protect).toBe(true);
    expect([...password.ignoreChanges].sort()).toEqual([...PASSWORD_IGNORE_CHANGES].sort());
    for (const input of Object.keys(password.inputs)) expect(password.ignoreChanges).toContain(input);
  });

  it("sets rds.global_db_rpo in every region's cluster parameter group", () => {
    const groups = rec.ofType(T.params);
    expect(groups).toHaveLength(3);
    for (const g of groups) {
      const region = regionStackOf(rec, g) as string;
      expect(g.inputs.family).toBe("aurora-postgresql16");
      // The controller's permission to relax the guard is scoped to this prefix.
      expect(g.inputs.namePrefix).toBe(`dev-${region}-rpo-`);
      expect(g.inputs.parameters).toEqual([
        { name: "rds.global_db_rpo", value: "20", applyMethod: "immediate" },
      ]);
      expect(rec.named(`${region}-db-cluster`, T.cluster).inputs.dbClusterParameterGroupName).toBe(
        `${region}-db-params-generated`,
      );
    }
  });

  it("allows no public access: no CIDR ingress, only the clients group, private instances", () => {
    for (const sg of rec.ofType(T.sg)) {
      expect(sg.inputs.ingress ?? []).toEqual([]);
    }
    for (const rule of rec.ofType(T.ingress)) {
      const region = regionStackOf(rec, rule) as string;
      expect(rule.inputs.cidrIpv4).toBeUndefined();
      expect(rule.inputs.referencedSecurityGroupId).toBe(`${region}-db-clients-id`);
      expect(rule.inputs.securityGroupId).toBe(`${region}-db-sg-id`);
      expect([rule.inputs.fromPort, rule.inputs.toPort]).toEqual([5432, 5432]);
    }
    for (const i of rec.ofType(T.instance)) expect(i.inputs.publiclyAccessible).toBe(false);
  });

  it("places each cluster in its region's subnets", () => {
    for (const r of config.regions) {
      const group = rec.named(`${r.region}-db-subnets`, T.subnets);
      expect(group.inputs.subnetIds).toEqual(r.subnetIds);
      expect(rec.named(`${r.region}-db-cluster`, T.cluster).inputs.dbSubnetGroupName).toBe(
        `${r.region}-db-subnets-generated`,
      );
    }
  });

  it("exports the global cluster id, the writer endpoint and each region's cluster ARN", () => {
    expect(run.outputs.globalClusterId.value).toBe("dev-global");
    expect(run.outputs.writerEndpoint.value).toBe("dev-global.global-mock.global.rds.amazonaws.com");
    for (const r of config.regions) {
      expect(run.outputs.regions.value[r.region].clusterArn).toBe(
        `arn:aws:rds:${r.region}:123456789012:cluster:dev-${r.region}`,
      );
    }
  });
});

describe("AuroraGlobalDatabase variants", () => {
  it("renders a relaxed managed-RPO guard where the operational state records one, the configured guard elsewhere", async () => {
    const config = validConfig();
    const state = { ...initialState(config), writer: "us-west-2", rpoGuardRelaxed: ["us-west-2"] };
    const { recorder } = await runProgram({ config: rawConfig(), state });
    const values = Object.fromEntries(
      recorder
        .ofType(T.params)
        .map((g) => [regionStackOf(recorder, g), (g.inputs.parameters as { value: string }[])[0].value]),
    );
    expect(values).toEqual({ "us-east-1": "20", "us-west-2": "2147483647", "eu-west-1": "20" });
  });

  it("creates no RPO parameter group for aurora-mysql", async () => {
    const config = withPatch((c) => {
      c.database = {
        engine: "aurora-mysql",
        engineVersion: "8.0.mysql_aurora.3.05.2",
        instanceClass: "db.r6g.large",
      };
    });
    const { recorder } = await runProgram({ config });
    expect(recorder.ofType(T.params)).toHaveLength(0);
    for (const c of recorder.ofType(T.cluster)) {
      expect(c.inputs.dbClusterParameterGroupName).toBeUndefined();
      expect(c.inputs.port).toBe(3306);
    }
  });

  it("creates no RPO parameter group for aurora-postgresql without rpoSeconds", async () => {
    const { recorder } = await runProgram({ config: withPatch((c) => delete c.database.rpoSeconds) });
    expect(recorder.ofType(T.params)).toHaveLength(0);
  });

  it("creates the configured number of instances in every region", async () => {
    const { recorder } = await runProgram({ config: withPatch((c) => (c.database.instances = 3)) });
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
      const ids = recorder
        .ofType(T.instance)
        .filter((i) => regionStackOf(recorder, i) === region)
        .map((i) => i.inputs.identifier)
        .sort();
      expect(ids).toEqual([`dev-${region}-1`, `dev-${region}-2`, `dev-${region}-3`]);
    }
  });

  it("passes deletion protection and backup retention through from the config", async () => {
    const { recorder } = await runProgram({
      config: withPatch((c) => {
        c.database.deletionProtection = false;
        c.database.backupRetentionDays = 21;
      }),
    });
    expect(recorder.ofType(T.global)[0].inputs.deletionProtection).toBe(false);
    for (const c of recorder.ofType(T.cluster)) {
      expect(c.inputs.deletionProtection).toBe(false);
      expect(c.inputs.backupRetentionPeriod).toBe(21);
    }
  });

  it("exposes the master password as a secret output", async () => {
    const { result } = await runMocked(
      () =>
        new AuroraGlobalDatabase("db", {
          globalClusterIdentifier: "dev-global",
          engine: "aurora-postgresql",
          engineVersion: "16.4",
          deletionProtection: true,
        }),
    );
    const password = await resolveOutput(result.masterPassword);
    expect(password.secret).toBe(true);
    expect(password.value).toMatch(/^mock-password-db-master-password/);
    expect((await resolveOutput(result.masterUsername)).secret).toBe(false);
  });
});
