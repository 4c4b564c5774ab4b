import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { AppExposure } from "./appExposure";
import { AppIdentity } from "./appIdentity";
import { AuroraRegionalCluster } from "./auroraRegionalCluster";
import { enginePort } from "./auroraSettings";
import { APP_SERVICE_ACCOUNT, type EnvVar } from "./appSpec";
import type { EnvironmentConfig, RegionConfig } from "./config";
import { DatabaseAccess } from "./databaseAccess";
import { RegionalApp } from "./regionalApp";
import { SyncJob } from "./syncJob";
import { CONTROLLER_ACTIONS } from "./controllerActions";
import { controllerPolicy } from "./controllerPolicy";
import { WatcherReplica } from "./watcherReplica";
import type { RegionPlan } from "./topology";

export interface RegionStackArgs {
  /** Plain data, not Inputs: the region's plan and config decide which resources exist. */
  readonly plan: RegionPlan;
  readonly region: RegionConfig;
  readonly config: EnvironmentConfig;
  readonly globalClusterIdentifier: pulumi.Input<string>;
  readonly masterUsername: pulumi.Input<string>;
  /** A Pulumi secret. */
  readonly masterPassword: pulumi.Input<string>;
  /** The global writer endpoint, handed to the app and the sync job. */
  readonly writerEndpoint: pulumi.Input<string>;
  readonly databaseSecretName: pulumi.Input<string>;
  /** The database secret's ARN in its home region; the pods read this region's replica. */
  readonly databaseSecretArn: pulumi.Input<string>;
  /** The primary's members; required when this region is a secondary. */
  readonly primaryMembers?: readonly pulumi.Resource[];
}

/**
 * Everything one region runs, under that region's own AWS and Kubernetes providers: its Aurora
 * member, the network path and IAM identity its pods reach the database with, its application,
 * the load balancer and endpoint record that serve it, in a secondary region its sync job and, where
 * configured, a `regionctl watch` replica. Named exactly by the region, and
 * every descendant's name starts with it, so the controller can leave an impaired region out of a
 * stack update by its URNs.
 */
export class RegionStack extends pulumi.ComponentResource {
  readonly region: string;
  readonly role: RegionPlan["role"];
  readonly database: AuroraRegionalCluster;
  readonly app: RegionalApp;
  readonly exposure: AppExposure;
  readonly syncJob: SyncJob | undefined;
  /** With the region among `controlPlane.watchers`: its `regionctl watch` replica. */
  readonly watcher: WatcherReplica | undefined;
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: RegionStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const { plan, region, config } = args;
    if (name !== plan.region || region.region !== plan.region) {
      throw new Error(
        `RegionStack must be named by its region: name ${name}, plan.region ${plan.region}, region.region ${region.region}`,
      );
    }
    super("regionctl:index:RegionStack", name, {}, opts);
    this.region = plan.region;
    this.role = plan.role;

    const awsProvider = new aws.Provider(
      `${name}-aws`,
      {
        region: plan.region as aws.Region,
        defaultTags: {
          tags: {
            "regionctl:environment": config.environment,
            "regionctl:region": plan.region,
            "managed-by": "regionctl",
          },
        },
      },
      { parent: this },
    );
    const k8sProvider = new k8s.Provider(`${name}-k8s`, kubernetesProviderArgs(region), { parent: this });

    this.database = new AuroraRegionalCluster(
      `${name}-db`,
      {
        environment: config.environment,
        region: plan.region,
        member: plan.database,
        database: config.database,
        vpcId: region.vpcId,
        subnetIds: region.subnetIds,
        globalClusterIdentifier: args.globalClusterIdentifier,
        masterUsername: args.masterUsername,
        masterPassword: args.masterPassword,
        primaryMembers: args.primaryMembers,
      },
      { parent: this, providers: [awsProvider] },
    );

    const access = new DatabaseAccess(
      `${name}-db-access`,
      {
        mode: config.app.databaseAccess,
        port: enginePort(config.database.engine),
        clientSecurityGroupId: this.database.clientSecurityGroupId,
        databaseSecurityGroupId: this.database.securityGroupId,
        clusterSecurityGroupId: region.clusterSecurityGroupId,
      },
      { parent: this, providers: [awsProvider] },
    );

    const env: EnvVar[] = [
      { name: "AWS_REGION", value: plan.region },
      { name: "ENVIRONMENT", value: config.environment },
      { name: "DATABASE_SECRET_NAME", value: args.databaseSecretName },
      { name: "DATABASE_WRITER_ENDPOINT", value: args.writerEndpoint },
      { name: "DATABASE_READER_ENDPOINT", value: this.database.readerEndpoint },
    ];
    this.app = new RegionalApp(
      `${name}-app`,
      {
        plan,
        app: config.app,
        namespace: config.app.namespace ?? config.environment,
        healthPath: config.dns.healthCheck.path,
        env,
        podSecurityGroupIds: access.podSecurityGroupIds,
      },
      { parent: this, providers: [k8sProvider] },
    );

    new AppIdentity(
      `${name}-identity`,
      {
        region: plan.region,
        clusterName: region.clusterName,
        namespace: this.app.namespaceName,
        serviceAccount: APP_SERVICE_ACCOUNT,
        secretArn: args.databaseSecretArn,
        kmsKeyArn: this.database.kmsKeyArn,
      },
      { parent: this, providers: [awsProvider] },
    );

    this.exposure = new AppExposure(
      `${name}-exposure`,
      {
        plan,
        namespace: this.app.namespaceName,
        certificateArn: region.certificateArn,
        port: config.dns.healthCheck.port,
        zoneId: config.dns.zoneId,
        ttl: config.dns.ttl,
      },
      { parent: this, providers: [awsProvider, k8sProvider] },
    );

    this.syncJob =
      plan.syncJob === null
        ? undefined
        : new SyncJob(
            `${name}-sync`,
            {
              namespace: this.app.namespaceName,
              schedule: plan.syncJob.schedule,
              batchSize: plan.syncJob.batchSize,
              sourceRegion: plan.syncJob.sourceRegion,
              targetRegion: plan.region,
              image: config.sync.image,
              retrySeconds: config.sync.retrySeconds,
              env,
            },
            // After the app's service account and pod security groups, which its pods use too.
            { parent: this, providers: [k8sProvider], dependsOn: [this.app] },
          );

    // Under the region's name, like everything else here, so an update that leaves an impaired
    // region out leaves its watcher alone too.
    this.watcher = config.controlPlane.watchers.includes(plan.region)
      ? new WatcherReplica(
          `${name}-watcher`,
          {
            region: plan.region,
            stack: pulumi.getStack(),
            clusterName: region.clusterName,
            controlPlane: config.controlPlane,
            intervalSeconds: config.dns.healthCheck.intervalSeconds,
            policy: controllerPolicy(config, CONTROLLER_ACTIONS),
          },
          { parent: this, providers: [awsProvider, k8sProvider] },
        )
      : undefined;

    this.clusterArn = this.database.clusterArn;
    this.clusterEndpoint = this.database.clusterEndpoint;
    this.readerEndpoint = this.database.readerEndpoint;
    this.kmsKeyArn = this.database.kmsKeyArn;
    this.registerOutputs({
      role: this.role,
      clusterArn: this.clusterArn,
      clusterEndpoint: this.clusterEndpoint,
      readerEndpoint: this.readerEndpoint,
      kmsKeyArn: this.kmsKeyArn,
      namespace: this.app.namespaceName,
      loadBalancerHostname: this.exposure.loadBalancerHostname,
    });
  }
}

/** kubeconfig contents are credentials, so they travel as a secret; a context uses the ambient kubeconfig. */
export function kubernetesProviderArgs(region: RegionConfig): k8s.ProviderArgs {
  if (region.kubeconfig !== undefined) {
    if (typeof region.kubeconfig !== "string") {
      throw new Error(
        `regionctl:regions (${region.region}).kubeconfig is still encrypted; run the program through Pulumi so secrets are decrypted`,
      );
    }
    return { kubeconfig: pulumi.secret(region.kubeconfig) };
  }
  if (region.kubeContext !== undefined) {
    return { context: region.kubeContext };
  }
  throw new Error(`regionctl:regions (${region.region}) needs kubeconfig or kubeContext`);
}
