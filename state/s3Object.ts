import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { partitionOf } from "./awsPartition";

/**
 * Reading one object of the operational-state store on S3, shared by the controller's store and
 * the Pulumi program, so both agree on where the document lives and on what "missing" means.
 */

export function defaultStateKey(environment: string): string {
  return `regionctl/${environment}.json`;
}

/**
 * S3 answers a GET of a missing object with 403, not 404, when the caller may not list the
 * bucket; the state's lease object is normally missing, so the bare 403 would fail every
 * operation with no hint why. This error names both permissions the read needs.
 */
export class S3AccessDeniedError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    /** The bucket's region, which decides the ARNs' partition. */
    region: string,
  ) {
    const arn = `arn:${partitionOf([region])}:s3:::${bucket}`;
    super(
      `S3 denied reading s3://${bucket}/${key} (403). The state store needs s3:GetObject on ` +
        `${arn}/${key} and s3:ListBucket on ${arn} (condition ` +
        `s3:prefix ${key}): without s3:ListBucket, S3 answers a missing object with 403 instead ` +
        "of 404. `regionctl iam-policy --stack <stack>` prints a policy that grants both.",
    );
    this.name = "S3AccessDeniedError";
  }
}

export function s3StatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** The object's text and ETag, or null when it does not exist. */
export async function getObjectIfExists(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag: string | undefined } | null> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: (await res.Body?.transformToString("utf-8")) ?? "", etag: res.ETag };
  } catch (err) {
    const status = s3StatusOf(err);
    const name = (err as { name?: string }).name;
    // A missing bucket is a misconfiguration, not a missing document.
    if (name !== "NoSuchBucket" && (status === 404 || name === "NoSuchKey")) return null;
    if (status === 403) throw new S3AccessDeniedError(bucket, key, await client.config.region());
    throw err;
  }
}
