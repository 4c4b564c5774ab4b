import { known } from "./known";

/** Pod-bearing Kubernetes kinds and where each keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "kubernetes:core/v1:Pod": ["spec"],
};

export interface SecurityContext {
  runAsNonRoot?: unknown;
  runAsUser?: unknown;
  allowPrivilegeEscalation?: unknown;
  readOnlyRootFilesystem?: unknown;
  privileged?: unknown;
}

export interface ContainerSpec {
  name?: unknown;
  image?: unknown;
  securityContext?: SecurityContext;
}

export interface PodSpec {
  securityContext?: SecurityContext;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
}

export function isPodBearing(type: string): boolean {
  return type in POD_SPEC_PATHS;
}

/** The pod spec of a pod-bearing resource; undefined for other types or while it is computed later. */
export function podSpecOf(type: string, props: Record<string, unknown>): PodSpec | undefined {
  const path = POD_SPEC_PATHS[type];
  if (path === undefined) return undefined;
  return known(() => {
    let v: unknown = props;
    for (const key of path) {
      if (typeof v !== "object" || v === null) return undefined;
      v = (v as Record<string, unknown>)[key];
    }
    return typeof v === "object" && v !== null ? (v as PodSpec) : undefined;
  });
}

/** Containers and init containers, each with a label for messages. */
export function containersOf(pod: PodSpec): { label: string; container: ContainerSpec }[] {
  const list = (cs: ContainerSpec[] | undefined, kind: string) =>
    (known(() => cs) ?? []).map((c, i) => {
      const name = known(() => c.name);
      return { label: `${kind} ${typeof name === "string" ? name : `#${i}`}`, container: c };
    });
  return [...list(pod.initContainers, "init container"), ...list(pod.containers, "container")];
}
