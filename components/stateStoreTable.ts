import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { EnvironmentConfig } from "./config";
import { DYNAMODB_ITEM } from "../state/loadOperationalState";
import { strongConsistencyPlacementIssues } from "./strongConsistencyRegions";

export interface StateStoreTableArgs {
  readonly tableName: string;
  /**
   * Replica regions; the first holds the table itself (pass a provider for it in `providers`),
   * the others are its replicas.
   */
  readonly regions: readonly string[];
  /** With two replica regions: the witness region. */
  readonly witness?: string;
}

/**
 * The controller's operational state and lease as a DynamoDB global table with multi-Region strong
 * consistency, so a strongly consistent read or conditional write in any replica sees every earlier
 * write, and the store keeps working, with its conditions, while any one region is down. Deletion
 * protection and point-in-time recovery on every replica: this table is the only record of which
 * region is the writer and of the operation in flight.
 */
export class StateStoreTable extends pulumi.ComponentResource {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: StateStoreTableArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const issues = strongConsistencyPlacementIssues(args.regions, args.witness);
    if (issues.length > 0) {
      throw new Error(`${name}: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    }
    super("regionctl:index:StateStoreTable", name, {}, opts);

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: DYNAMODB_ITEM.key,
        attributes: [{ name: DYNAMODB_ITEM.key, type: "S" }],
        // The provider's global-table examples, strong consistency included, enable the stream.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        replicas: args.regions.slice(1).map((regionName) => ({
          regionName,
          consistencyMode: "STRONG",
          pointInTimeRecovery: true,
          deletionProtectionEnabled: true,
        })),
        ...(args.witness === undefined ? {} : { globalTableWitness: { regionName: args.witness } }),
      },
      { parent: this },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}

/** The table when the config keeps the operational state in DynamoDB; nothing otherwise. */
export function stateStoreTableFor(config: EnvironmentConfig): StateStoreTable | undefined {
  const store = config.stateStore;
  if (store.kind !== "dynamodb") return undefined;
  // Its own provider: the table's home is the store's first region, whatever the global pieces use.
  const provider = new aws.Provider("state-store-aws", {
    region: store.regions[0] as aws.Region,
    defaultTags: { tags: { "regionctl:environment": config.environment, "managed-by": "regionctl" } },
  });
  return new StateStoreTable(
    "state-store",
    { tableName: store.table, regions: store.regions, witness: store.witness },
    { providers: [provider] },
  );
}
