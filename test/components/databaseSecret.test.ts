import { beforeAll, describe, expect, it } from "vitest";
import { DatabaseSecret } from "../../components/databaseSecret";
import { type MockRecorder, type ProgramRun, resolveOutput, runMocked, runProgram } from "./mockRuntime";
import { rawConfig, withPatch } from "./helpers/environmentFixture";
import { ROTATED_BY_CONTROLLER, ROTATION_TAG } from "../../policy/policies/databaseSecretRotation";

const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "mock-password-global-db-master-password";

describe("the database secret", () => {
  let run: ProgramRun;
  let rec: MockRecorder;

  beforeAll(async () => {
    run = await runProgram({ config: rawConfig() });
    rec = run.recorder;
  });

  it("lives in the global region, encrypted with that region's database key", () => {
    const [secret] = rec.ofType(SECRET);
    expect(rec.regionOf(secret)).toBe("us-east-1");
    expect(secret.inputs.name).toBe("regionctl/dev/database");
    expect(secret.inputs.kmsKeyId).toBe("arn:aws:kms:us-east-1:123456789012:key/us-east-1-db-kms");
  });

  it("is replicated to every other region with that region's own key", () => {
    const [secret] = rec.ofType(SECRET);
    expect(secret.inputs.replicas).toEqual([
      { region: "us-west-2", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/us-west-2-db-kms" },
      { region: "eu-west-1", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/eu-west-1-db-kms" },
    ]);
  });

  it("stores the credentials as a secret", () => {
    const [version] = rec.ofType(VERSION);
    expect(version.secretInputs).toContain("secretString");
    const doc = JSON.parse(version.inputs.secretString);
    expect(doc).toEqual({
      engine: "aurora-postgresql",
      username: "regionctl_admin",
      password: doc.password,
      port: 5432,
    });
    expect(doc.password).toMatch(new RegExp(`^${PASSWORD}`));
  });

  it("says where the writer is nowhere in its document, which the controller owns after creation", () => {
    // A host written once would name the old writer after the first failover.
    const doc = JSON.parse(rec.ofType(VERSION)[0].inputs.secretString);
    expect(Object.keys(doc).sort()).toEqual(["engine", "password", "port", "username"]);
  });

  it("is tagged as rotated by regionctl, which the rotation policy accepts", () => {
    const [secret] = rec.ofType(SECRET);
    expect(secret.inputs.tags).toEqual({ [ROTATION_TAG]: ROTATED_BY_CONTROLLER });
  });

  it("never exposes the password in a stack output", () => {
    for (const [name, output] of Object.entries(run.outputs)) {
      expect(JSON.stringify(output.value), name).not.toContain(PASSWORD);
    }
  });

  it("replicates to every region when the global region is none of the environment's", async () => {
    const { recorder } = await runProgram({ config: withPatch((c) => (c.awsRegion = "us-east-2")) });
    const [secret] = recorder.ofType(SECRET);
    expect(recorder.regionOf(secret)).toBe("us-east-2");
    // No region key lives there, so the secret gets a customer-managed key of its own, never AWS's.
    const key = recorder.named("global-db-secret-kms", "aws:kms/key:Key");
    expect(recorder.regionOf(key)).toBe("us-east-2");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(secret.inputs.kmsKeyId).toBe("arn:aws:kms:us-east-2:123456789012:key/global-db-secret-kms");
    expect(secret.inputs.replicas.map((r: { region: string }) => r.region)).toEqual([
      "us-east-1",
      "us-west-2",
      "eu-west-1",
    ]);
  });

  it("is a secret output of the component", async () => {
    const { result } = await runMocked(
      () =>
        new DatabaseSecret("s", {
          secretName: "regionctl/test/database",
          engine: "aurora-postgresql",
          username: "u",
          password: "hunter2-but-longer",
          port: 5432,
          replicas: [{ region: "eu-west-1", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" }],
        }),
    );
    const value = await resolveOutput(result.secretString);
    expect(value.secret).toBe(true);
    expect(JSON.parse(value.value).password).toBe("hunter2-but-longer");
  });

  it("refuses a region listed twice among the replicas", async () => {
    expect(
      () =>
        new DatabaseSecret("dup", {
          secretName: "x",
          engine: "aurora-postgresql",
          username: "u",
          password: "p",
          port: 5432,
          replicas: [
            { region: "eu-west-1", kmsKeyArn: "a" },
            { region: "eu-west-1", kmsKeyArn: "b" },
          ],
        }),
    ).toThrow(/replicas name region eu-west-1 twice/);
  });
});
