import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { validateConfig } from "../../../components/config";
import { FileStateStore } from "../../../automation/adapters/state/fileStateStore";
import { openStateStore, type StateStoreConfig } from "../../../automation/adapters/state/openStateStore";
import { S3StateStore } from "../../../automation/adapters/state/s3StateStore";
import { sampleState } from "./sampleState";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("openStateStore", () => {
  it("opens the default file store at .regionctl/<stack>.json under the base directory", async () => {
    const base = await mkdtemp(path.join(tmpdir(), "regionctl-open-"));
    dirs.push(base);
    const config: StateStoreConfig = { kind: "file", directory: ".regionctl" };
    const store = openStateStore(config, "staging", "stg", { baseDirectory: base });
    expect(store).toBeInstanceOf(FileStateStore);
    expect(store.location).toBe(path.join(base, ".regionctl", "staging.json"));
    const etag = await store.write(sampleState(), null);
    expect(await openStateStore(config, "staging", "stg", { baseDirectory: base }).read()).toEqual({
      state: sampleState(),
      etag,
    });
  });

  it("keeps an absolute directory as given", () => {
    const store = openStateStore({ kind: "file", directory: "/var/lib/regionctl" }, "dev", "dev");
    expect(store.location).toBe(path.join("/var/lib/regionctl", "dev.json"));
  });

  it("opens S3 at regionctl/<environment>.json by default, or at the configured key, and works on moto", async () => {
    const endpoint = inject("motoEndpoint");
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    await new S3Client({ region: "eu-west-1", endpoint, forcePathStyle: true, credentials }).send(
      new CreateBucketCommand({
        Bucket: "team-state",
        CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
      }),
    );
    const byDefault = openStateStore(
      { kind: "s3", bucket: "team-state", region: "eu-west-1" },
      "prod-stack",
      "prod",
      {
        awsClientOptions: { endpoint, credentials },
      },
    );
    expect(byDefault).toBeInstanceOf(S3StateStore);
    expect(byDefault.location).toBe("s3://team-state/regionctl/prod.json");
    const custom = openStateStore(
      { kind: "s3", bucket: "team-state", key: "envs/prod/state.json" },
      "prod",
      "prod",
      {
        defaultRegion: "eu-west-1",
        awsClientOptions: { endpoint, credentials },
      },
    );
    expect(custom.location).toBe("s3://team-state/envs/prod/state.json");
    const etag = await custom.write(sampleState("custom"), null);
    expect((await custom.read())?.etag).toBe(etag);
    expect(await byDefault.read()).toBeNull();
  });

  it("takes the stateStore block exactly as the config schema yields it", () => {
    const parsed = validateConfig({ stateStore: { kind: "s3", bucket: "b-1" } });
    // The rest of this config is invalid on purpose; only the stateStore key must be accepted.
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.some((i) => i.path.startsWith("regionctl:stateStore"))).toBe(false);
  });
});
