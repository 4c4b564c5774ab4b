import type { apps, core } from "@pulumi/kubernetes/types/input";
import { NAME_LABEL, RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT, SCRATCH_VOLUME } from "./appSpec";
import type { ControlPlaneConfig } from "./config";

/**
 * The Kubernetes objects of one region's `regionctl watch` replica, as plain specs. WatcherReplica
 * renders them; keeping them pure lets tests pin the rules without mocks.
 */

export const WATCHER_NAME = "regionctl-watch";
/** The watcher's service account, which its IAM role is bound to. */
export const WATCHER_SERVICE_ACCOUNT = WATCHER_NAME;
/** The region a watcher runs in, on its Deployment: the policy pack counts watcher regions by it. */
export const WATCHER_REGION_LABEL = "regionctl.io/region";
/** Written after every observation; the liveness probe reads its age. */
export const HEARTBEAT_FILE = "/tmp/regionctl-heartbeat";

export interface WatcherSpecInput {
  readonly region: string;
  /** The stack the watcher operates: the one that deploys it. */
  readonly stack: string;
  readonly controlPlane: ControlPlaneConfig;
  /** Seconds between the watcher's observations (the health-check interval). */
  readonly intervalSeconds: number;
}

export function watcherLabels(region: string): Record<string, string> {
  return { [NAME_LABEL]: WATCHER_NAME, [WATCHER_REGION_LABEL]: region };
}

/**
 * How old the heartbeat may get before the pod is restarted: several missed observations, and never
 * less than a minute. Operations run beside the observation loop, so a long failover does not stop
 * the heartbeat; only a stuck loop does.
 */
export function heartbeatMaxAgeSeconds(intervalSeconds: number): number {
  return Math.max(60, 6 * intervalSeconds);
}

/** The watcher's command line after the image's `regionctl` entrypoint. */
export function watcherArgs(stack: string): string[] {
  // --keep-going: a replica that exits whenever a person must act would crash-loop; it reports and
  // watches on. --json: one object per observation, for the cluster's log pipeline.
  return ["watch", "--stack", stack, "--keep-going", "--json", "--heartbeat-file", HEARTBEAT_FILE];
}

export function watcherEnv(region: string): core.v1.EnvVar[] {
  return [
    // Its own region: the DynamoDB store's home replica, and the vantage point its probes report.
    { name: "AWS_REGION", value: region },
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    // The lease and the operation records name the replica by region and pod.
    { name: "REGIONCTL_HOLDER", value: `watch@${region}/$(POD_NAME)` },
    // The root filesystem is read-only: the Pulumi workspace and caches live under /tmp.
    { name: "HOME", value: "/tmp" },
  ];
}

/** A Node.js one-liner, as the image runs `regionctl` on Node: exits 1 once the heartbeat is stale. */
export function heartbeatProbeCommand(maxAgeSeconds: number): string[] {
  return [
    "node",
    "-e",
    `const s=require("fs").statSync(${JSON.stringify(HEARTBEAT_FILE)});process.exit(Date.now()-s.mtimeMs<${maxAgeSeconds * 1000}?0:1)`,
  ];
}

export function watcherDeploymentSpec(input: WatcherSpecInput): apps.v1.DeploymentSpec {
  const { region, controlPlane } = input;
  if (controlPlane.image === undefined) {
    throw new Error(`the watcher in ${region} needs regionctl:controlPlane.image`);
  }
  const labels = watcherLabels(region);
  const maxAge = heartbeatMaxAgeSeconds(input.intervalSeconds);
  const heartbeat = heartbeatProbeCommand(maxAge);
  return {
    replicas: 1,
    selector: { matchLabels: labels },
    // One replica per region: the old pod stops before the new one starts, so a region never
    // counts as two vantage points.
    strategy: { type: "Recreate" },
    template: {
      metadata: { labels },
      spec: {
        serviceAccountName: WATCHER_SERVICE_ACCOUNT,
        securityContext: RESTRICTED_POD_CONTEXT,
        // SIGTERM interrupts a running operation where it is, resumable; give it time to record that.
        terminationGracePeriodSeconds: 60,
        volumes: [{ name: SCRATCH_VOLUME, emptyDir: {} }],
        containers: [
          {
            name: "watch",
            image: controlPlane.image,
            args: watcherArgs(input.stack),
            securityContext: RESTRICTED_CONTAINER_CONTEXT,
            volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }],
            env: watcherEnv(region),
            ...(controlPlane.envSecretName === undefined
              ? {}
              : { envFrom: [{ secretRef: { name: controlPlane.envSecretName } }] }),
            // The first observation loads the config and reads the store; until then no heartbeat.
            startupProbe: { exec: { command: heartbeat }, periodSeconds: 10, failureThreshold: 30 },
            readinessProbe: { exec: { command: heartbeat }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: {
              exec: { command: heartbeat },
              periodSeconds: 20,
              timeoutSeconds: 5,
              failureThreshold: 3,
            },
            resources: {
              requests: { cpu: controlPlane.cpuRequest, memory: controlPlane.memoryRequest },
              limits: { cpu: controlPlane.cpuLimit, memory: controlPlane.memoryLimit },
            },
          },
        ],
      },
    },
  };
}

/** With a role of the user's own, IRSA binds it by this annotation; otherwise Pod Identity does. */
export function watcherServiceAccountAnnotations(controlPlane: ControlPlaneConfig): Record<string, string> {
  return controlPlane.serviceAccountRoleArn === undefined
    ? {}
    : { "eks.amazonaws.com/role-arn": controlPlane.serviceAccountRoleArn };
}
