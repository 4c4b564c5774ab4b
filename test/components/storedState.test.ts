import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { S3StateStore } from "../../automation/adapters/state/s3StateStore";
import { loadOperationalState, stateSource } from "../../state/loadOperationalState";
import { StateSchemaError } from "../../components/operationalState";
import { stateWithWriter, validConfig } from "./helpers/environmentFixture";

const at = { stack: "dev", environment: "dev" };
const state = stateWithWriter(validConfig(), "us-west-2");

describe("loadOperationalState from a file store", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regionctl-load-"));
  const store = { kind: "file" as const, directory: dir };
  const write = (stack: string, text: string) => fs.writeFileSync(path.join(dir, `${stack}.json`), text);

  it("returns null when the stack has no state yet", async () => {
    await expect(loadOperationalState(store, { ...at, stack: "fresh" })).resolves.toBeNull();
  });

  it("reads <directory>/<stack>.json", async () => {
    write("dev", JSON.stringify(state));
    const loaded = await loadOperationalState(store, at);
    expect(loaded?.writer).toBe("us-west-2");
    expect(loaded?.revision).toBe(7);
  });

  it("resolves a relative directory against cwd", async () => {
    write("rel", JSON.stringify(state));
    const loaded = await loadOperationalState(
      { kind: "file", directory: path.basename(dir) },
      { ...at, stack: "rel" },
      { cwd: path.dirname(dir) },
    );
    expect(loaded?.writer).toBe("us-west-2");
    expect(stateSource({ kind: "file", directory: ".regionctl" }, at, "/project")).toBe(
      "/project/.regionctl/dev.json",
    );
  });

  it("names the file and the problem for invalid JSON", async () => {
    write("broken", "{ writer: ");
    const error = await loadOperationalState(store, { ...at, stack: "broken" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateSchemaError);
    expect((error as Error).message).toContain(path.join(dir, "broken.json"));
    expect((error as Error).message).toContain("not valid JSON");
  });

  it("names every invalid field of a malformed document", async () => {
    write("invalid", JSON.stringify({ ...state, writer: 7, revision: -1 }));
    const error = (await loadOperationalState(store, { ...at, stack: "invalid" }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/writer:/);
    expect(error.message).toMatch(/revision:/);
  });

  it("refuses another environment's document", async () => {
    write("other", JSON.stringify({ ...state, environment: "prod" }));
    await expect(loadOperationalState(store, { ...at, stack: "other" })).rejects.toThrow(
      /belongs to prod, not to dev/,
    );
  });
});

describe("loadOperationalState from an S3 store", () => {
  const endpoint = inject("motoEndpoint");
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const client = (region: string | undefined) =>
    new S3Client({ region: region ?? "us-east-1", endpoint, forcePathStyle: true, credentials });
  const bucket = `regionctl-state-${process.pid}`;

  beforeAll(async () => {
    await client("us-east-1").send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it("returns null when the object does not exist", async () => {
    await expect(
      loadOperationalState({ kind: "s3", bucket, region: "us-east-1" }, at, { s3Client: client }),
    ).resolves.toBeNull();
  });

  it("reads regionctl/<environment>.json by default", async () => {
    await client("us-east-1").send(
      new PutObjectCommand({ Bucket: bucket, Key: "regionctl/dev.json", Body: JSON.stringify(state) }),
    );
    const loaded = await loadOperationalState({ kind: "s3", bucket, region: "us-east-1" }, at, {
      s3Client: client,
    });
    expect(loaded?.writer).toBe("us-west-2");
  });

  it("reads the configured key", async () => {
    await client("us-east-1").send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "custom/dev-state.json",
        Body: JSON.stringify({ ...state, revision: 9 }),
      }),
    );
    const loaded = await loadOperationalState(
      { kind: "s3", bucket, key: "custom/dev-state.json", region: "us-east-1" },
      at,
      { s3Client: client },
    );
    expect(loaded?.revision).toBe(9);
  });

  it("reads the document the controller's store writes, at the same default key", async () => {
    const controller = new S3StateStore({ bucket, environment: "dev", client: client("us-east-1") });
    const stored = await controller.read();
    await controller.write({ ...state, writer: "us-east-1", revision: 21 }, stored?.etag ?? null);
    const loaded = await loadOperationalState({ kind: "s3", bucket, region: "us-east-1" }, at, {
      s3Client: client,
    });
    expect([loaded?.writer, loaded?.revision]).toEqual(["us-east-1", 21]);
  });

  it("passes other S3 errors through", async () => {
    await expect(
      loadOperationalState({ kind: "s3", bucket: `${bucket}-missing`, region: "us-east-1" }, at, {
        s3Client: client,
      }),
    ).rejects.toThrow(/bucket/i);
  });
});
