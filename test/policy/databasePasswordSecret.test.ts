import { describe, expect, it } from "vitest";
import { databasePasswordSecret as policy } from "../../policy/policies/databasePasswordSecret";
import { find, goodStack, PASSWORD, res, violationsOf } from "./fixtures";

describe("database-password-secret", () => {
  it("accepts a generated password kept secret everywhere it goes", async () => {
    const stack = goodStack();
    const out = find(stack, "regionctl-dev");
    out.outputs = { ...out.outputs, databasePassword: PASSWORD };
    out.outputSecretPaths = ["databasePassword"];
    stack.push(
      res(
        "aws:secretsmanager/secretVersion:SecretVersion",
        "db-credentials",
        { secretString: JSON.stringify({ password: PASSWORD }) },
        {
          inputSecretPaths: ["secretString"],
          outputSecretPaths: ["secretString"],
        },
      ),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("rejects a password from plain config or a literal (no generated source)", async () => {
    const stack = goodStack();
    const writer = find(stack, "us-east-1-db");
    writer.propertyDependencies = { ...writer.propertyDependencies, masterPassword: [] };
    writer.inputSecretPaths = [];
    writer.outputSecretPaths = [];
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      "cluster us-east-1-db takes masterPassword from plain config or a literal; generate it with random.RandomPassword (a secret) or set manageMasterUserPassword.",
      "cluster us-east-1-db: masterPassword is not a Pulumi secret.",
    ]);
    expect(v.every((x) => x.resource?.name === "us-east-1-db" && x.enforcementLevel === "mandatory")).toBe(
      true,
    );
  });

  it("rejects the password as a plain stack output or inside another resource's plain inputs", async () => {
    const stack = goodStack();
    const out = find(stack, "regionctl-dev");
    out.outputs = { ...out.outputs, database: { url: `postgres://regionctl:${PASSWORD}@writer:5432/app` } };
    stack.push(
      res("kubernetes:core/v1:ConfigMap", "us-west-2-db-config", { data: { DB_PASSWORD: PASSWORD } }),
    );
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "regionctl-dev: stack output database.url holds the database password in plain text; export it with pulumi.secret() or not at all.",
      "us-west-2-db-config: us-west-2-db-config (kubernetes:core/v1:ConfigMap) holds the database password in plain text at data.DB_PASSWORD.",
    ]);
  });

  it("accepts an RDS-managed password", async () => {
    const stack = goodStack();
    const writer = find(stack, "us-east-1-db");
    delete writer.inputs.masterPassword;
    writer.inputs.manageMasterUserPassword = true;
    writer.propertyDependencies = { ...writer.propertyDependencies, masterPassword: [] };
    expect(await violationsOf([policy], stack)).toEqual([]);
  });
});
