import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { parseConfig, rawConfigFromStackConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { policies } from "../../policy/allPolicies";
import { DEV_STACK_ADVISORIES, violatedByLevel } from "../policy/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const DEV = path.join(ROOT, "Pulumi.dev.yaml");
const work = mkdtempSync(path.join(tmpdir(), "regionctl-validate-test-"));

type Config = Record<string, Record<string, unknown> & Record<string, unknown>>;

/** Writes a variant of the shipped dev stack file; `change` edits its `config:` map. */
function variant(name: string, change: (config: Config) => void): string {
  const doc = parse(readFileSync(DEV, "utf8")) as { config: Config };
  change(doc.config);
  const file = path.join(work, `Pulumi.${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

async function validate(...args: string[]) {
  const io = bufferIo();
  const code = await main(["node", "regionctl", "validate", ...args], io);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

interface Report {
  outcome: string;
  exitCode: number;
  resources: number;
  policies: { name: string; enforcementLevel: string }[];
  configIssues: { path: string; message: string }[];
  violations: {
    policy: string;
    enforcementLevel: string;
    message: string;
    resource: { name: string; type: string } | null;
  }[];
}

function json(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

describe("regionctl validate", () => {
  it("exits 0 on the shipped dev config", async () => {
    const r = await validate("--stack", "dev");
    expect(r.code).toBe(0);
    // Tagged images (8 pod templates): advisories, not blockers.
    expect(r.stdout).toContain("validate: ok (8 advisory violation(s))");
  });

  it("--json: one document with every policy evaluated over the program's resources", async () => {
    const r = await validate("--config", DEV, "--json");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report).toMatchObject({ outcome: "ok", exitCode: 0, configIssues: [] });
    expect(violatedByLevel(report.violations as never)).toEqual({
      mandatory: [],
      advisory: DEV_STACK_ADVISORIES,
    });
    expect(report.resources).toBeGreaterThan(50);
    expect(report.policies.map((p) => p.name)).toContain("stack-region-coverage");
    expect(report.policies).toHaveLength(policies.length);
    expect(r.stderr).toContain(`${policies.length} policies over`);
  });

  it("exits 2 on an invalid config, naming every bad key at once, without running the program", async () => {
    const file = variant("badkeys", (c) => {
      (c["regionctl:dns"] as Record<string, unknown>).ttl = 300;
      (c["regionctl:dns"] as { healthCheck: Record<string, unknown> }).healthCheck.intervalSeconds = 15;
      c["regionctl:writer"] = "ap-south-9" as never;
    });
    const r = await validate("--config", file, "--json");
    expect(r.code).toBe(2);
    const report = json(r.stdout);
    expect(report.outcome).toBe("invalid-config");
    expect(report.resources).toBe(0);
    expect(report.configIssues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        "regionctl:dns.ttl",
        "regionctl:dns.healthCheck.intervalSeconds",
        "regionctl:writer",
      ]),
    );
    expect(r.stderr).toContain("regionctl:dns.ttl: health-checked records need a TTL of 60 s or less");
  });

  it("exits 4 on a valid config that breaks mandatory policies, naming each resource and policy", async () => {
    const file = variant("prod", (c) => {
      c["regionctl:environment"] = "prod" as never;
      Object.assign(c["regionctl:database"], { backupRetentionDays: 3, deletionProtection: false });
      (c["regionctl:dns"] as { healthCheck: Record<string, unknown> }).healthCheck.failureThreshold = 1;
      // An encrypted value, as `pulumi config set --secret` writes it: evaluated with a placeholder.
      const regions = c["regionctl:regions"] as unknown as Record<string, unknown>[];
      delete regions[1].kubeContext;
      regions[1].kubeconfig = { secure: "v1:AAAAAAAAAAAAAAAA:encrypted" };
    });
    const r = await validate("--config", file);
    expect(r.code).toBe(4);
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
      expect(r.stdout).toContain(
        `MANDATORY aurora-backup-retention — aws:rds/cluster:Cluster ${region}-db-cluster: backupRetentionPeriod is 3 days; at least 7 days are required.`,
      );
      expect(r.stdout).toContain(
        `MANDATORY aurora-deletion-protection — aws:rds/cluster:Cluster ${region}-db-cluster`,
      );
      expect(r.stdout).toContain(
        `MANDATORY route53-health-check-timing — aws:route53/healthCheck:HealthCheck ${region}-dns-health: failureThreshold 1 is outside the project's bounds (2 to 5).`,
      );
    }
    expect(r.stdout).toContain(
      "MANDATORY aurora-deletion-protection — aws:rds/globalCluster:GlobalCluster global-db-cluster",
    );
    expect(r.stdout).toMatch(
      /validate: 10 mandatory and 8 advisory violation\(s\): pulumi up would be blocked/,
    );
  });

  it("takes enforcement from --policy-config: demoted policies no longer block", async () => {
    const file = variant("shortbackups", (c) => {
      Object.assign(c["regionctl:database"], { backupRetentionDays: 3, deletionProtection: false });
    });
    const config = path.join(work, "policy-config.json");
    writeFileSync(config, JSON.stringify({ "aurora-backup-retention": "advisory" }));
    const r = await validate("--config", file, "--policy-config", config, "--json");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.outcome).toBe("ok");
    const levels = new Set(report.violations.map((v) => `${v.policy}:${v.enforcementLevel}`));
    expect([...levels].sort()).toEqual([
      "aurora-backup-retention:advisory",
      "aurora-deletion-protection-nonprod:advisory",
      ...DEV_STACK_ADVISORIES.map((p) => `${p}:advisory`),
    ]);
    expect(
      report.violations
        .filter((v) => v.policy === "aurora-backup-retention")
        .map((v) => v.resource?.name)
        .sort(),
    ).toEqual(["eu-west-1-db-cluster", "us-east-1-db-cluster", "us-west-2-db-cluster"]);
  });

  it("evaluates the writer from the operational state (--state)", async () => {
    const raw = rawConfigFromStackConfig(
      (parse(readFileSync(DEV, "utf8")) as { config: Record<string, unknown> }).config,
    );
    const state = { ...initialState(parseConfig(raw)), writer: "us-west-2" };
    const stateFile = path.join(work, "state.json");
    writeFileSync(stateFile, JSON.stringify(state));
    const r = await validate("--stack", "dev", "--state", stateFile, "--json");
    expect(r.code).toBe(0);
    expect(violatedByLevel(json(r.stdout).violations as never)).toEqual({
      mandatory: [],
      advisory: DEV_STACK_ADVISORIES,
    });
  });

  it("exits 2 on usage mistakes, listing every one", async () => {
    const config = path.join(work, "bad-policy-config.json");
    writeFileSync(
      config,
      JSON.stringify({ "no-such-policy": "advisory", "aurora-backup-retention": "blocking" }),
    );
    const r = await validate("--stack", "dev", "--config", DEV, "--policy-config", config, "--bogus");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option --bogus");
    expect(r.stderr).toContain("pass either --stack or --config, not both");
    expect(r.stderr).toContain("no-such-policy: no such policy");
    expect(r.stderr).toContain('aurora-backup-retention: unknown enforcement level "blocking"');
  });
});
