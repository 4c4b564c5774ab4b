import { describe, expect, it } from "vitest";
import { kubernetesDeploymentProbesLimits as policy } from "../../policy/policies/kubernetesDeploymentProbesLimits";
import { find, goodStack, violationsOf } from "./fixtures";

type Container = Record<string, unknown> & { resources: { limits: Record<string, unknown> } };

function containerOf(stack: ReturnType<typeof goodStack>, name: string): Container {
  const spec = find(stack, name).inputs.spec as { template: { spec: { containers: Container[] } } };
  return spec.template.spec.containers[0];
}

describe("kubernetes-deployment-probes-limits", () => {
  it("accepts containers with a readiness probe and CPU and memory limits", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a container without a readiness probe", async () => {
    const stack = goodStack();
    delete containerOf(stack, "us-west-2-app-green").readinessProbe;
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-west-2-app-green: container app has no readinessProbe.",
    ]);
  });

  it("rejects a container without limits", async () => {
    const stack = goodStack();
    delete containerOf(stack, "us-east-1-app-blue").resources.limits.memory;
    containerOf(stack, "eu-west-1-app-blue").resources = { limits: {} };
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "us-east-1-app-blue: container app has no memory limit (resources.limits).",
      "eu-west-1-app-blue: container app has no cpu or memory limit (resources.limits).",
    ]);
  });
});
