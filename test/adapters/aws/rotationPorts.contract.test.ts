import { CreateDBClusterCommand, CreateDBClusterParameterGroupCommand } from "@aws-sdk/client-rds";
import { CreateSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { rdsMemberClusters } from "../../../automation/adapters/aws/rdsMemberClusters";
import { secretsManagerDatabaseSecret } from "../../../automation/adapters/aws/secretsManagerDatabaseSecret";
import {
  EffectLog,
  MemoryDatabaseSecret,
  MemoryMemberClusters,
  VirtualClock,
} from "../../support/memoryPorts";
import { databaseSecretContract } from "../databaseSecretContract";
import { memberClustersContract } from "../memberClustersContract";
import { motoClients, unique } from "./motoClients";

/** The member clusters and the database secret: real SDK calls to moto, and the memory fakes. */

const clients = motoClients();
const REGION = "eu-central-1";

memberClustersContract("RDS on moto", async () => {
  const env = unique("rot");
  const group = `${env}-params`;
  await clients.rds(REGION).send(
    new CreateDBClusterParameterGroupCommand({
      DBClusterParameterGroupName: group,
      DBParameterGroupFamily: "aurora-postgresql16",
      Description: "managed RPO",
    }),
  );
  const clusters = rdsMemberClusters({
    clusterIdentifier: (region) => `${env}-${region}`,
    rds: (region) => clients.rds(region),
  });
  await clients.rds(REGION).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: `${env}-${REGION}`,
      Engine: "aurora-postgresql",
      EngineVersion: "16.4",
      MasterUsername: "app",
      MasterUserPassword: "not-a-secret-1",
      DBClusterParameterGroupName: group,
    }),
  );
  await clusters.setRpoGuard(REGION, 20);
  return { clusters, region: REGION, initialGuard: 20, missingRegion: "ap-south-1", settle: async () => {} };
});

memberClustersContract("memory fake", async () => {
  const clock = new VirtualClock();
  const clusters = new MemoryMemberClusters(clock, new EffectLog(clock), [REGION], 20);
  return {
    clusters,
    region: REGION,
    initialGuard: 20,
    missingRegion: "ap-south-1",
    settle: async () => clock.advance(clusters.applyMs),
  };
});

databaseSecretContract("Secrets Manager on moto", {
  async open(initial) {
    const name = `regionctl/${unique("env")}/database`;
    const client = clients.secretsManager(REGION);
    await client.send(new CreateSecretCommand({ Name: name, SecretString: initial }));
    return {
      secret: secretsManagerDatabaseSecret({ secretId: name, region: REGION, client }),
      read: async () => (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? "",
    };
  },
});

databaseSecretContract("memory fake", {
  async open(initial) {
    const clock = new VirtualClock();
    const secret = new MemoryDatabaseSecret(new EffectLog(clock), initial);
    return { secret, read: async () => secret.text };
  },
});
