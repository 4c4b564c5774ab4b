import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../known";
import { containersOf, isPodBearing, podSpecOf } from "../podSpecs";

/**
 * A container that runs as root, may gain privileges or write its own filesystem turns any code
 * execution bug into a node compromise or a persistent foothold (Kubernetes Pod Security Standards,
 * `restricted` profile).
 */
export const kubernetesSecurityContext: ResourceValidationPolicy = {
  name: "kubernetes-security-context",
  description:
    "Every container runs as non-root, without privilege escalation, unprivileged, with a read-only root filesystem.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateResource: (args, report) => {
    if (!isPodBearing(args.type)) return;
    const pod = podSpecOf(args.type, args.props);
    if (pod === undefined) return;
    const podContext = known(() => pod.securityContext) ?? {};
    for (const { label, container } of containersOf(pod)) {
      const c = known(() => container.securityContext) ?? {};
      const value = <K extends keyof typeof c>(key: K) => known(() => c[key]);
      const runAsNonRoot = value("runAsNonRoot") ?? known(() => podContext.runAsNonRoot);
      const runAsUser = value("runAsUser") ?? known(() => podContext.runAsUser);
      const problems: string[] = [];
      if (runAsNonRoot !== true && !(typeof runAsUser === "number" && runAsUser > 0)) {
        problems.push("runAsNonRoot is not true");
      }
      if (value("allowPrivilegeEscalation") !== false) problems.push("allowPrivilegeEscalation is not false");
      if (value("privileged") === true) problems.push("privileged is true");
      if (value("readOnlyRootFilesystem") !== true) problems.push("readOnlyRootFilesystem is not true");
      if (problems.length > 0) report(`${label}: ${problems.join(", ")}.`);
    }
  },
};
