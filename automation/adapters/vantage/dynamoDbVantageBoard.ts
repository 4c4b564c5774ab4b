import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DYNAMODB_ITEM } from "../../../state/loadOperationalState";
import type { VantageReport } from "../../watch/quorum";
import type { VantageBoard } from "../../watch/vantageBoard";
import type { AwsClientOptions } from "../aws/clientConfig";
import { replicaClients } from "../state/dynamoDbStateStore";
import { isReplicaFailure, ReplicasUnavailableError } from "../state/replicaFailover";
import { decodeVantage, encodeVantage, voterSlug } from "./vantageDocument";

export interface DynamoDbVantageBoardOptions {
  readonly table: string;
  readonly environment: string;
  /** The table's replica regions; the replica's own region (AWS_REGION) is tried first. */
  readonly regions: readonly string[];
  /** The replicas whose reports are read (`controlPlane.watchers`). */
  readonly voters: readonly string[];
  readonly homeRegion?: string;
  readonly clientFor?: (region: string) => DynamoDBClient;
  readonly clientOptions?: AwsClientOptions;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The DynamoDB store's board: one item per replica, `regionctl/<environment>.vantage/<voter>`,
 * in the state's table, read strongly consistent from the first replica region that answers.
 */
export class DynamoDbVantageBoard implements VantageBoard {
  private readonly order: readonly string[];
  private readonly clients: readonly DynamoDBClient[];

  constructor(private readonly options: DynamoDbVantageBoardOptions) {
    if (options.regions.length === 0) throw new Error("the DynamoDB vantage board needs at least one region");
    ({ order: this.order, clients: this.clients } = replicaClients(options));
  }

  private id(voter: string): string {
    return vantageItemId(this.options.environment, voter);
  }

  async publish(voter: string, reports: readonly VantageReport[]): Promise<void> {
    await this.call((client) =>
      client.send(
        new PutItemCommand({
          TableName: this.options.table,
          Item: {
            [DYNAMODB_ITEM.key]: { S: this.id(voter) },
            [DYNAMODB_ITEM.document]: { S: encodeVantage(voter, reports) },
            [DYNAMODB_ITEM.version]: { S: randomUUID() },
          },
        }),
      ),
    );
  }

  async read(): Promise<readonly VantageReport[]> {
    const all = await Promise.all(
      this.options.voters.map(async (voter) => {
        const id = this.id(voter);
        const res = await this.call((client) =>
          client.send(
            new GetItemCommand({
              TableName: this.options.table,
              Key: { [DYNAMODB_ITEM.key]: { S: id } },
              ConsistentRead: true,
            }),
          ),
        );
        const text = res.Item?.[DYNAMODB_ITEM.document]?.S;
        return text === undefined ? [] : decodeVantage(text, `dynamodb://${this.options.table}/${id}`);
      }),
    );
    return all.flat();
  }

  /** One request, in each replica region in turn while the failure is the region's. */
  private async call<T>(request: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    const failures: { region: string; error: unknown }[] = [];
    for (let i = 0; i < this.clients.length; i++) {
      try {
        return await request(this.clients[i]);
      } catch (err) {
        if (!isReplicaFailure(err)) throw err;
        failures.push({ region: this.order[i], error: err });
      }
    }
    throw new ReplicasUnavailableError(
      `dynamodb://${this.options.table}/regionctl/${this.options.environment}.vantage`,
      failures,
    );
  }
}

/** A replica's item beside the state's. */
export function vantageItemId(environment: string, voter: string): string {
  return `regionctl/${environment}.vantage/${voterSlug(voter)}`;
}
