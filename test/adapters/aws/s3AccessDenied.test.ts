import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { S3StateStore } from "../../../automation/adapters/state/s3StateStore";
import { S3AccessDeniedError } from "../../../state/s3Object";

/**
 * Without s3:ListBucket, S3 answers a GET of the (normally missing) lease object with 403: the
 * store must say which permission is missing rather than fail with a bare AccessDenied.
 */

const s3 = mockClient(S3Client);
afterAll(() => s3.restore());
beforeEach(() => s3.reset());

const denied = () =>
  Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });

function store(region = "us-east-1"): S3StateStore {
  return new S3StateStore({
    bucket: "team-state",
    environment: "dev",
    client: new S3Client({ region, credentials: { accessKeyId: "x", secretAccessKey: "y" } }),
  });
}

describe("S3 state store on a 403", () => {
  it("names s3:ListBucket on the bucket when the lease read is denied", async () => {
    s3.on(GetObjectCommand).rejects(denied());
    const err = await store()
      .acquireLease("me", "failover", 60_000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3AccessDeniedError);
    expect((err as Error).message).toContain("s3://team-state/regionctl/dev.json.lease");
    expect((err as Error).message).toContain("s3:ListBucket on arn:aws:s3:::team-state");
    expect((err as Error).message).toContain("regionctl iam-policy");
  });

  it("writes the ARNs in the bucket's partition", async () => {
    s3.on(GetObjectCommand).rejects(denied());
    const err = await store("cn-north-1")
      .read()
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain("s3:ListBucket on arn:aws-cn:s3:::team-state");
  });

  it("still treats a 404 as a missing object", async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }),
    );
    expect(await store().read()).toBeNull();
    expect(await store().readLease()).toBeNull();
  });
});
