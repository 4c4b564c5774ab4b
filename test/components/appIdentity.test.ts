import { beforeAll, describe, expect, it } from "vitest";
import {
  podIdentityTrustPolicy,
  regionalSecretArn,
  secretReadPolicy,
} from "../../components/appIdentityPolicy";
import { APP_SERVICE_ACCOUNT } from "../../components/appSpec";
import { validateConfig } from "../../components/config";
import { MOCK_ACCOUNT, type MockRecorder, runProgram } from "./mockRuntime";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT}:secret:regionctl/dev/database-AbCdEf`;

describe("the app's IAM documents", () => {
  it("trusts EKS Pod Identity only", () => {
    expect(podIdentityTrustPolicy().Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ]);
  });

  it.each([
    ["us-east-1", SECRET_ARN],
    ["eu-west-1", SECRET_ARN.replace("us-east-1", "eu-west-1")],
  ])("names the replica in %s", (region, expected) => {
    expect(regionalSecretArn(SECRET_ARN, region)).toBe(expected);
  });

  it("refuses an ARN that is not a secret's", () => {
    expect(() => regionalSecretArn("arn:aws:kms:us-east-1:1:key/k", "us-west-2")).toThrow(
      /not a Secrets Manager secret ARN/,
    );
  });

  it("reads the region's replica and decrypts only through Secrets Manager there", () => {
    const key = `arn:aws:kms:us-west-2:${MOCK_ACCOUNT}:key/k`;
    const doc = secretReadPolicy({ secretArn: SECRET_ARN, kmsKeyArn: key, region: "us-west-2" });
    expect(doc.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: SECRET_ARN.replace("us-east-1", "us-west-2"),
      },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: key,
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
      },
    ]);
  });
});

describe("AppIdentity in the program", () => {
  let rec: MockRecorder;
  const config = validConfig();
  beforeAll(async () => {
    rec = (await runProgram({ config: rawConfig() })).recorder;
  });

  it("gives each region a role that reads that region's secret replica with that region's key", () => {
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
      const role = rec.named(`${region}-identity-role`, ROLE);
      expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual(podIdentityTrustPolicy());
      expect(rec.regionOf(role)).toBe(region);
      const policy = JSON.parse(rec.named(`${region}-identity-secret-read`, ROLE_POLICY).inputs.policy);
      expect(policy).toEqual(
        secretReadPolicy({
          secretArn: SECRET_ARN,
          kmsKeyArn: `arn:aws:kms:${region}:${MOCK_ACCOUNT}:key/${region}-db-kms`,
          region,
        }),
      );
    }
  });

  it("binds the role to the app's service account in the region's cluster", () => {
    config.regions.forEach((r) => {
      const association = rec.named(`${r.region}-identity-association`, ASSOCIATION);
      expect(association.inputs).toMatchObject({
        clusterName: r.clusterName,
        namespace: "dev",
        serviceAccount: APP_SERVICE_ACCOUNT,
        roleArn: `arn:aws:mock:${r.region}:${MOCK_ACCOUNT}:${r.region}-identity-role`,
      });
      const account = rec.named(`${r.region}-app-sa`, SERVICE_ACCOUNT);
      expect(account.inputs.metadata).toEqual({ name: APP_SERVICE_ACCOUNT, namespace: "dev" });
    });
  });

  it("runs the app's and the sync job's pods as that service account", () => {
    for (const d of rec.ofType(DEPLOYMENT)) {
      expect(d.inputs.spec.template.spec.serviceAccountName, d.name).toBe(APP_SERVICE_ACCOUNT);
    }
    const jobs = rec.ofType(CRONJOB);
    expect(jobs).toHaveLength(2);
    for (const j of jobs) {
      expect(j.inputs.spec.jobTemplate.spec.template.spec.serviceAccountName, j.name).toBe(
        APP_SERVICE_ACCOUNT,
      );
    }
  });
});

describe("identity config", () => {
  it("refuses a region without its EKS cluster name, naming the key", () => {
    const result = validateConfig(withPatch((c) => delete c.regions[2].clusterName));
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: "regionctl:regions[2].clusterName",
        message: "clusterName is required: the app's pod identity is bound in that cluster",
      },
    ]);
  });
});
