import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../known";
import { containersOf, isPodBearing, podSpecOf } from "../podSpecs";

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/**
 * A tag can be moved to other contents after a release was tested; a digest cannot. Pinning makes
 * every region run exactly the bytes the canary judged, and a rollback return to exactly the old
 * ones.
 */
export const kubernetesImageDigest: ResourceValidationPolicy = {
  name: "kubernetes-image-digest",
  description: "Every container image is pinned by digest (image@sha256:...).",
  enforcementLevel: "advisory",
  severity: "low",
  validateResource: (args, report) => {
    if (!isPodBearing(args.type)) return;
    const pod = podSpecOf(args.type, args.props);
    if (pod === undefined) return;
    for (const { label, container } of containersOf(pod)) {
      const image = known(() => container.image);
      if (image === undefined) continue; // computed later
      if (typeof image !== "string" || !DIGEST.test(image)) {
        report(`${label}: image ${String(image)} is not pinned by digest (@sha256:...).`);
      }
    }
  },
};
