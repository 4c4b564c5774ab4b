import type * as pulumi from "@pulumi/pulumi";
import type { apps, core, policy } from "@pulumi/kubernetes/types/input";
import type { EnvironmentConfig } from "./config";
import type { Color } from "./operationalState";
import type { AppSlotPlan, RegionPlan } from "./topology";

/**
 * The Kubernetes objects of one region's application, as plain specs derived from the topology.
 * RegionalApp renders them; keeping them pure lets tests pin the rules without mocks.
 */

type AppConfig = EnvironmentConfig["app"];

export const APP_NAME = "app";
export const NAME_LABEL = "app.kubernetes.io/name";
export const COLOR_LABEL = "regionctl.io/color";
export const VERSION_LABEL = "regionctl.io/version";
export const HTTP_PORT_NAME = "http";
/** The app's service account; its IAM role reads the database secret (see appIdentity.ts). */
export const APP_SERVICE_ACCOUNT = APP_NAME;
/** Writable scratch space, as the root filesystem is read-only. */
export const SCRATCH_VOLUME = "tmp";

/**
 * Pods run as a non-root user with no way to gain privileges and a read-only root filesystem; the
 * image must name a numeric non-root USER, and may write only under /tmp.
 */
export const RESTRICTED_CONTAINER_CONTEXT: core.v1.SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};
export const RESTRICTED_POD_CONTEXT: core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

export interface EnvVar {
  readonly name: string;
  readonly value: pulumi.Input<string>;
}

/** `image:version`, unless the image is pinned by digest. */
export function imageRef(image: string, version: string): string {
  return image.includes("@") ? image : `${image}:${version}`;
}

export function deploymentName(color: Color): string {
  return `${APP_NAME}-${color}`;
}

export function colorSelector(color: Color): Record<string, string> {
  return { [NAME_LABEL]: APP_NAME, [COLOR_LABEL]: color };
}

/**
 * The Service's selector: the active colour, or every pod of the app while a canary splits the
 * region's traffic between the colours by their replica counts.
 */
export function serviceSelector(plan: RegionPlan): Record<string, string> {
  const color = plan.app.selectorColor;
  return color === null ? { [NAME_LABEL]: APP_NAME } : colorSelector(color);
}

/**
 * A slot the controller has never filled keeps its Deployment object at zero replicas, on the
 * serving version, so a later blue-green switch only patches it.
 */
export function slotVersion(slot: AppSlotPlan, plan: RegionPlan): string {
  return slot.version ?? plan.app.servingVersion;
}

export function deploymentSpec(
  slot: AppSlotPlan,
  plan: RegionPlan,
  app: AppConfig,
  healthPath: string,
  env: readonly EnvVar[],
): apps.v1.DeploymentSpec {
  const version = slotVersion(slot, plan);
  const labels = { ...colorSelector(slot.color), [VERSION_LABEL]: version };
  const probe = (initialDelaySeconds: number, periodSeconds: number): core.v1.Probe => ({
    httpGet: { path: healthPath, port: HTTP_PORT_NAME },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    replicas: slot.replicas,
    selector: { matchLabels: colorSelector(slot.color) },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
    template: {
      metadata: { labels },
      spec: {
        serviceAccountName: APP_SERVICE_ACCOUNT,
        securityContext: RESTRICTED_POD_CONTEXT,
        volumes: [{ name: SCRATCH_VOLUME, emptyDir: {} }],
        containers: [
          {
            name: APP_NAME,
            image: imageRef(app.image, version),
            securityContext: RESTRICTED_CONTAINER_CONTEXT,
            volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }],
            ports: [{ name: HTTP_PORT_NAME, containerPort: app.port }],
            env: [
              { name: "REGION", value: plan.region },
              { name: "APP_VERSION", value: version },
              { name: "APP_COLOR", value: slot.color },
              ...env,
            ],
            readinessProbe: probe(5, 10),
            // Not the Route 53 health path: that one may check the database, and a liveness
            // failure during a database failover would restart every pod.
            livenessProbe: {
              ...(app.livenessPath === undefined
                ? { tcpSocket: { port: HTTP_PORT_NAME } }
                : { httpGet: { path: app.livenessPath, port: HTTP_PORT_NAME } }),
              initialDelaySeconds: 15,
              periodSeconds: 20,
              timeoutSeconds: 2,
              failureThreshold: 3,
            },
            resources: {
              requests: { cpu: app.cpuRequest, memory: app.memoryRequest },
              limits: { cpu: app.cpuLimit, memory: app.memoryLimit },
            },
          },
        ],
      },
    },
  };
}

export function serviceSpec(plan: RegionPlan): core.v1.ServiceSpec {
  return {
    type: "ClusterIP",
    selector: serviceSelector(plan),
    ports: [{ name: HTTP_PORT_NAME, port: 80, targetPort: HTTP_PORT_NAME }],
  };
}

/** Voluntary disruptions (node drains, upgrades) take at most one app pod at a time, of either colour. */
export function disruptionBudgetSpec(): policy.v1.PodDisruptionBudgetSpec {
  return { maxUnavailable: 1, selector: { matchLabels: { [NAME_LABEL]: APP_NAME } } };
}
