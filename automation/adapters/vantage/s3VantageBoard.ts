import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getObjectIfExists } from "../../../state/s3Object";
import type { VantageReport } from "../../watch/quorum";
import type { VantageBoard } from "../../watch/vantageBoard";
import { awsClientConfig, type AwsClientOptions } from "../aws/clientConfig";
import { decodeVantage, encodeVantage, voterSlug } from "./vantageDocument";

export interface S3VantageBoardOptions {
  readonly bucket: string;
  /** The state object's key: the board lives under `<key>-vantage/`. */
  readonly stateKey: string;
  /** The replicas whose reports are read (`controlPlane.watchers`). */
  readonly voters: readonly string[];
  readonly region?: string;
  readonly client?: S3Client;
  readonly clientOptions?: AwsClientOptions;
}

/** The S3 store's board: one object per replica, `<state key>-vantage/<voter>.json`, written only by it. */
export class S3VantageBoard implements VantageBoard {
  private readonly client: S3Client;

  constructor(private readonly options: S3VantageBoardOptions) {
    if (options.client !== undefined) {
      this.client = options.client;
    } else {
      const config = awsClientConfig(options.region, options.clientOptions);
      // S3-compatible test servers serve buckets as paths, not as host names.
      this.client = new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined });
    }
  }

  private key(voter: string): string {
    return vantageObjectKey(this.options.stateKey, voter);
  }

  async publish(voter: string, reports: readonly VantageReport[]): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.key(voter),
        Body: encodeVantage(voter, reports),
        ContentType: "application/json",
      }),
    );
  }

  async read(): Promise<readonly VantageReport[]> {
    const all = await Promise.all(
      this.options.voters.map(async (voter) => {
        const key = this.key(voter);
        const object = await getObjectIfExists(this.client, this.options.bucket, key);
        return object === null ? [] : decodeVantage(object.text, `s3://${this.options.bucket}/${key}`);
      }),
    );
    return all.flat();
  }
}

/** Where a replica's verdicts live beside the state object. */
export function vantageObjectKey(stateKey: string, voter: string): string {
  return `${stateKey}-vantage/${voterSlug(voter)}.json`;
}
