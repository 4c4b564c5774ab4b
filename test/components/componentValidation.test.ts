import { describe, expect, it } from "vitest";
import { AuroraRegionalCluster } from "../../components/auroraRegionalCluster";
import { RegionStack, kubernetesProviderArgs } from "../../components/regionStack";
import { SyncJob } from "../../components/syncJob";
import { planTopology } from "../../components/topology";
import { runMocked } from "./mockRuntime";
import { validConfig } from "./helpers/environmentFixture";

const config = validConfig();
const plan = planTopology(config, null);
const secondary = plan.regions[1];

describe("component argument checks name the field", () => {
  it("AuroraRegionalCluster needs primaryMembers for a secondary", async () => {
    await expect(
      runMocked(
        () =>
          new AuroraRegionalCluster(`${secondary.region}-db`, {
            environment: "dev",
            region: secondary.region,
            member: secondary.database,
            database: config.database,
            vpcId: "vpc-1",
            subnetIds: ["subnet-1", "subnet-2"],
            globalClusterIdentifier: "dev-global",
            masterUsername: "u",
            masterPassword: "p",
          }),
      ),
    ).rejects.toThrow(/primaryMembers is required for a secondary member \(region us-west-2\)/);
  });

  it("RegionStack must be named by its region", async () => {
    await expect(
      runMocked(
        () =>
          new RegionStack("west", {
            plan: secondary,
            region: config.regions[1],
            config,
            globalClusterIdentifier: "dev-global",
            masterUsername: "u",
            masterPassword: "p",
            writerEndpoint: "w",
            databaseSecretName: "s",
            databaseSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
          }),
      ),
    ).rejects.toThrow(/RegionStack must be named by its region: name west, plan.region us-west-2/);
  });

  it("SyncJob refuses to sync a region from itself and a batch size below 1", async () => {
    const args = {
      namespace: "dev",
      schedule: "*/5 * * * *",
      batchSize: 10,
      sourceRegion: "us-east-1",
      targetRegion: "us-east-1",
      image: "sync",
      retrySeconds: 300,
    };
    await expect(runMocked(() => new SyncJob("s1", args))).rejects.toThrow(
      /sourceRegion and targetRegion are both us-east-1/,
    );
    await expect(
      runMocked(() => new SyncJob("s2", { ...args, targetRegion: "eu-west-1", batchSize: 0 })),
    ).rejects.toThrow(/batchSize must be an integer of at least 1, got 0/);
  });

  it("kubernetesProviderArgs refuses a kubeconfig that is still encrypted", () => {
    expect(() =>
      kubernetesProviderArgs({
        ...config.regions[0],
        kubeContext: undefined,
        kubeconfig: { secure: "v1:abc" },
      }),
    ).toThrow(/kubeconfig is still encrypted/);
    expect(kubernetesProviderArgs(config.regions[0])).toEqual({ context: "dev-us-east-1" });
  });
});
