import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/allPolicies";

/**
 * Starts the pack the way `pulumi preview --policy-pack policy` does (the Node.js runtime runs
 * @pulumi/pulumi's run-policy-pack in the pack's directory, which compiles index.ts and serves the
 * analyzer over gRPC) and talks to it as the engine would.
 */

const ROOT = path.resolve(__dirname, "../..");
const RUN_POLICY_PACK = path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack");

let pack: ChildProcess | undefined;
let client: AnalyzerClient;

beforeAll(async () => {
  const child = spawn(process.execPath, [RUN_POLICY_PACK, "127.0.0.1:1", "."], {
    cwd: path.join(ROOT, "policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  pack = child;
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0].trim();
      if (out.includes("\n") && /^\d+$/.test(line)) resolve(line);
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}:\n${out}\n${err}`)));
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  if (pack?.pid !== undefined) process.kill(pack.pid, "SIGTERM");
});

function call<R>(invoke: (cb: (e: grpc.ServiceError | null, r: R) => void) => unknown): Promise<R> {
  return new Promise((resolve, reject) => invoke((e, r) => (e === null ? resolve(r) : reject(e))));
}

function options(): pb.AnalyzerResourceOptions {
  return new pb.AnalyzerResourceOptions().setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
}

function awsProvider(region: string): pb.AnalyzerProviderResource {
  return new pb.AnalyzerProviderResource()
    .setType("pulumi:providers:aws")
    .setName(`${region}-aws`)
    .setUrn(`urn:pulumi:dev::regionctl::pulumi:providers:aws::${region}-aws`)
    .setProperties(Struct.fromJavaScript({ region }));
}

function cluster(
  name: string,
  region: string,
  props: Record<string, unknown>,
): { urn: string; props: Record<string, unknown> } {
  return {
    urn: `urn:pulumi:dev::regionctl::aws:rds/cluster:Cluster::${name}`,
    props: {
      clusterIdentifier: `dev-${region}`,
      globalClusterIdentifier: "dev-global",
      storageEncrypted: true,
      kmsKeyId: `arn:aws:kms:${region}:123456789012:key/k`,
      iamDatabaseAuthenticationEnabled: true,
      deletionProtection: true,
      backupRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ["postgresql"],
      ...props,
    },
  };
}

async function analyze(
  name: string,
  region: string,
  props: Record<string, unknown>,
): Promise<pb.AnalyzeDiagnostic[]> {
  const c = cluster(name, region, props);
  const req = new pb.AnalyzeRequest()
    .setType("aws:rds/cluster:Cluster")
    .setName(name)
    .setUrn(c.urn)
    .setProperties(Struct.fromJavaScript(c.props as never))
    .setOptions(options())
    .setProvider(awsProvider(region));
  return (await call<pb.AnalyzeResponse>((cb) => client.analyze(req, cb))).getDiagnosticsList();
}

describe("the policy pack under the Pulumi analyzer protocol", () => {
  it("loads and describes every policy with its enforcement level", async () => {
    const info = await call<pb.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    expect(info.getName()).toBe("regionctl");
    expect(info.getVersion()).toBe("0.1.0");
    const served = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
    expect(served).toEqual(
      policies.map((p) => [
        p.name,
        p.enforcementLevel === "advisory" ? pb.EnforcementLevel.ADVISORY : pb.EnforcementLevel.MANDATORY,
      ]),
    );
  });

  it("reports a secondary cluster encrypted with another region's key as a mandatory violation", async () => {
    const ok = await analyze("us-west-2-db-cluster", "us-west-2", {});
    expect(ok.map((d) => d.getPolicyname())).toEqual([]);
    const bad = await analyze("us-west-2-db-cluster", "us-west-2", {
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
    });
    expect(bad.map((d) => [d.getPolicyname(), d.getEnforcementlevel()])).toEqual([
      ["aurora-encryption-regional-kms", pb.EnforcementLevel.MANDATORY],
    ]);
    expect(bad[0].getMessage()).toContain("is in us-east-1 but the cluster is in us-west-2");
  });

  it("runs stack policies over the whole graph", async () => {
    const req = new pb.AnalyzeStackRequest();
    for (const [name, region] of [
      ["us-east-1-db-cluster", "us-east-1"],
      ["us-west-2-db-cluster", "us-west-2"],
    ]) {
      const c = cluster(name, region, { masterUsername: "admin" });
      req.addResources(
        new pb.AnalyzerResource()
          .setType("aws:rds/cluster:Cluster")
          .setName(name)
          .setUrn(c.urn)
          .setProperties(Struct.fromJavaScript(c.props as never))
          .setOptions(options())
          .setProvider(awsProvider(region)),
      );
    }
    const diagnostics = (
      await call<pb.AnalyzeResponse>((cb) => client.analyzeStack(req, cb))
    ).getDiagnosticsList();
    expect(diagnostics.map((d) => d.getPolicyname())).toContain("stack-single-writer");
    expect(diagnostics.find((d) => d.getPolicyname() === "stack-single-writer")?.getMessage()).toContain(
      "2 writer clusters",
    );
  });

  it("takes enforcement levels and settings from the policy pack config", async () => {
    const configure = new pb.ConfigureAnalyzerRequest();
    configure
      .getPolicyconfigMap()
      .set(
        "aurora-backup-retention",
        new pb.PolicyConfig()
          .setEnforcementlevel(pb.EnforcementLevel.ADVISORY)
          .setProperties(Struct.fromJavaScript({ minDays: 14 })),
      );
    await call<Empty>((cb) => client.configure(configure, cb));
    const d = await analyze("us-east-1-db-cluster", "us-east-1", {});
    expect(d.map((x) => [x.getPolicyname(), x.getEnforcementlevel()])).toEqual([
      ["aurora-backup-retention", pb.EnforcementLevel.ADVISORY],
    ]);
    // The analyzer puts the policy's description before the message.
    expect(d[0].getMessage()).toMatch(/\nbackupRetentionPeriod is 7 days; at least 14 days are required\.$/);
  });
});
