import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { S3StateStore } from "../../../automation/adapters/state/s3StateStore";
import { encodeState } from "../../../automation/adapters/state/stateDocument";
import { LeaseHeldError, StateConflictError } from "../../../automation/ports";
import { sampleState } from "./sampleState";
import { stateStoreContract } from "./stateStoreContract";

/**
 * moto (5.x) evaluates If-Match and If-None-Match: * on PutObject and If-Match on DeleteObject,
 * so the whole contract, races included, runs against it. What moto cannot produce (409
 * ConditionalRequestConflict, a lost response followed by the SDK's retry, 404 under If-Match as
 * S3 sends it) is covered with aws-sdk-client-mock below.
 */

const endpoint = inject("motoEndpoint");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const bucket = "regionctl-state-test";
let places = 0;

function motoClient(): S3Client {
  return new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
}

beforeAll(async () => {
  await motoClient().send(new CreateBucketCommand({ Bucket: bucket }));
});

stateStoreContract("S3StateStore on moto", {
  newPlace: async () => `regionctl/env-${++places}.json`,
  // Built the way openStateStore builds it: from client options, not a ready client.
  open: (key, now) =>
    new S3StateStore({
      bucket,
      key,
      environment: "dev",
      region: "us-east-1",
      clientOptions: { endpoint, credentials },
      now,
    }),
  putRawDocument: async (key, text) => {
    await motoClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
  },
});

describe("S3StateStore on the wire (moto)", () => {
  it("sends If-None-Match: * to create, If-Match: <etag> to update and to release, and keys by environment", async () => {
    const client = motoClient();
    const sent: { method: string; path: string; headers: Record<string, string> }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { method: string; path: string; headers: Record<string, string> };
        sent.push({ method: req.method, path: req.path, headers: { ...req.headers } });
        return next(args);
      },
      { step: "finalizeRequest", name: "captureConditionalHeaders" },
    );
    const store = new S3StateStore({ bucket, environment: `wire${++places}`, client });
    expect(store.location).toBe(`s3://${bucket}/regionctl/wire${places}.json`);

    const first = await store.write(sampleState("a"), null);
    const second = await store.write(sampleState("b"), first);
    const lease = await store.acquireLease("me", "deploy", 60_000);
    await store.releaseLease(lease);

    const writes = sent.filter((r) => r.method === "PUT" || r.method === "DELETE");
    expect(writes.map((r) => [r.method, r.path, r.headers["if-none-match"], r.headers["if-match"]])).toEqual([
      ["PUT", `/${bucket}/regionctl/wire${places}.json`, "*", undefined],
      ["PUT", `/${bucket}/regionctl/wire${places}.json`, undefined, first],
      ["PUT", `/${bucket}/regionctl/wire${places}.json.lease`, "*", undefined],
      ["DELETE", `/${bucket}/regionctl/wire${places}.json.lease`, undefined, lease.etag],
    ]);
    expect(first).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await store.read())?.etag).toBe(second);
  });

  it("gets moto's 412 for a stale If-Match and reports a StateConflictError", async () => {
    const store = new S3StateStore({ bucket, environment: `stale${++places}`, client: motoClient() });
    const first = await store.write(sampleState("a"), null);
    await store.write(sampleState("b"), first);
    const client = motoClient();
    const direct = client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `regionctl/stale${places}.json`,
        Body: "x",
        IfMatch: first,
      }),
    );
    await expect(direct).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await expect(store.write(sampleState("c"), first)).rejects.toBeInstanceOf(StateConflictError);
  });
});

describe("S3StateStore conditional-request handling (aws-sdk-client-mock)", () => {
  // Mocks one client instance, not the S3Client prototype, so the moto tests above keep the real one.
  const client = new S3Client({ region: "us-east-1", credentials });
  const s3 = mockClient(client);
  const store = (): S3StateStore => new S3StateStore({ bucket: "b", environment: "prod", client });

  beforeEach(() => s3.reset());
  afterAll(() => s3.restore());

  function failure(status: number, name: string): S3ServiceException {
    return new S3ServiceException({
      name,
      $fault: "client",
      $metadata: { httpStatusCode: status },
      message: name,
    });
  }
  function body(text: string) {
    return { transformToString: async () => text } as never;
  }

  it("passes the etag as IfMatch on update and IfNoneMatch * on create, nothing else", async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"new"' });
    await store().write(sampleState(), null);
    await store().write(sampleState(), '"old"');
    const inputs = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.Key, i.IfNoneMatch, i.IfMatch])).toEqual([
      ["regionctl/prod.json", "*", undefined],
      ["regionctl/prod.json", undefined, '"old"'],
    ]);
    expect(inputs[0].Body).toBe(encodeState(sampleState()));
  });

  it.each([
    [412, "PreconditionFailed"],
    [409, "ConditionalRequestConflict"],
    [404, "NoSuchKey"],
  ])("turns %i %s on a conditional update into StateConflictError", async (status, name) => {
    s3.on(PutObjectCommand).rejects(failure(status, name));
    s3.on(GetObjectCommand).resolves({
      Body: body(encodeState(sampleState("someone else's"))),
      ETag: '"theirs"',
    });
    await expect(store().write(sampleState("mine"), '"old"')).rejects.toBeInstanceOf(StateConflictError);
  });

  it("treats a 412 as success when the stored bytes are its own (the SDK retried a write whose answer was lost)", async () => {
    s3.on(PutObjectCommand).rejects(failure(412, "PreconditionFailed"));
    s3.on(GetObjectCommand).resolves({ Body: body(encodeState(sampleState("mine"))), ETag: '"mine"' });
    expect(await store().write(sampleState("mine"), '"old"')).toBe('"mine"');
  });

  it("passes other errors through unchanged", async () => {
    s3.on(PutObjectCommand).rejects(failure(403, "AccessDenied"));
    await expect(store().write(sampleState(), null)).rejects.toMatchObject({ name: "AccessDenied" });
    // A denied read names the permissions it needs (see S3AccessDeniedError).
    s3.on(GetObjectCommand).rejects(failure(403, "AccessDenied"));
    await expect(store().read()).rejects.toMatchObject({ name: "S3AccessDeniedError" });
  });

  it("names the winner when it loses the lease race on a 412", async () => {
    const theirs = JSON.stringify({
      holder: "ci-42",
      operation: "deploy 2.0.0",
      acquiredAt: 1,
      expiresAt: 8.64e15,
      nonce: "n",
    });
    s3.on(GetObjectCommand)
      .rejectsOnce(failure(404, "NoSuchKey"))
      .resolves({ Body: body(theirs), ETag: '"theirs"' });
    s3.on(PutObjectCommand).rejects(failure(412, "PreconditionFailed"));
    await expect(store().acquireLease("me", "deploy", 60_000)).rejects.toMatchObject({
      constructor: LeaseHeldError,
      holder: "ci-42",
      operation: "deploy 2.0.0",
    });
  });

  it("releases with a conditional delete and leaves a lease that is no longer its own", async () => {
    s3.on(DeleteObjectCommand).rejects(failure(412, "PreconditionFailed"));
    await store().releaseLease({ holder: "me", operation: "deploy", expiresAt: 0, etag: '"mine"' });
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({
      Bucket: "b",
      Key: "regionctl/prod.json.lease",
      IfMatch: '"mine"',
    });
  });
});
