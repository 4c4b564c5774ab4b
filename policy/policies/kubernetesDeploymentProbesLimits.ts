import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, prop } from "../known";
import { T } from "../resourceTypes";

interface Container {
  name?: string;
  readinessProbe?: unknown;
  resources?: { limits?: Record<string, unknown> };
}

const REQUIRED_LIMITS = ["cpu", "memory"];

/**
 * A pod without a readiness probe receives traffic before it can serve, which turns every rollout
 * and every health gate into guesswork; a pod without limits can starve its neighbours, including
 * the other colour during a blue-green switch.
 */
export const kubernetesDeploymentProbesLimits: ResourceValidationPolicy = {
  name: "kubernetes-deployment-probes-limits",
  description: "Every container of a Deployment has a readiness probe and CPU and memory limits.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: (args, report) => {
    if (args.type !== T.deployment) return;
    const containers = known(
      () =>
        (args.props.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template
          ?.spec?.containers,
    );
    if (containers === undefined) return;
    if (containers.length === 0) {
      report("the pod template has no containers.");
      return;
    }
    containers.forEach((c, i) => {
      const label = known(() => c.name) ?? `#${i}`;
      if (prop(c as Record<string, unknown>, "readinessProbe").state === "absent") {
        report(`container ${label} has no readinessProbe.`);
      }
      const limits = known(() => c.resources?.limits) ?? {};
      const missing = REQUIRED_LIMITS.filter((k) => !(k in limits));
      if (missing.length > 0) {
        report(`container ${label} has no ${missing.join(" or ")} limit (resources.limits).`);
      }
    });
  },
};
