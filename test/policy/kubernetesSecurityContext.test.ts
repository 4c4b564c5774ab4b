import { describe, expect, it } from "vitest";
import { kubernetesSecurityContext as policy } from "../../policy/policies/kubernetesSecurityContext";
import { find, goodStack, res, violationsOf } from "./fixtures";

type Spec = { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
const specOf = (stack: ReturnType<typeof goodStack>, name: string) => find(stack, name).inputs.spec as Spec;

describe("kubernetes-security-context", () => {
  it("accepts restricted containers", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("flags a container with no security context as advisory, listing every gap", async () => {
    const stack = goodStack();
    delete specOf(stack, "us-west-2-app-green").template.spec.containers[0].securityContext;
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel, x.message])).toEqual([
      [
        "us-west-2-app-green",
        "advisory",
        "container app: runAsNonRoot is not true, allowPrivilegeEscalation is not false, readOnlyRootFilesystem is not true.",
      ],
    ]);
  });

  it("takes runAsNonRoot or a non-root user from the pod", async () => {
    const stack = goodStack();
    const spec = specOf(stack, "us-east-1-app-blue").template.spec;
    spec.securityContext = { runAsUser: 1000 };
    delete (spec.containers[0].securityContext as Record<string, unknown>).runAsNonRoot;
    expect(await violationsOf([policy], stack)).toEqual([]);
    spec.securityContext = { runAsUser: 0 };
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      "container app: runAsNonRoot is not true.",
    ]);
  });

  it("checks init containers and CronJob pods too", async () => {
    const stack = goodStack();
    specOf(stack, "us-east-1-app-blue").template.spec.initContainers = [
      { name: "migrate", image: "x", securityContext: { privileged: true } },
    ];
    stack.push(
      res("kubernetes:batch/v1:CronJob", "job", {
        spec: {
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "sync", image: "x" }] } } } },
        },
      }),
    );
    expect(
      (await violationsOf([policy], stack)).map((x) => [x.resource?.name, x.message.split(":")[0]]),
    ).toEqual([
      ["us-east-1-app-blue", "init container migrate"],
      ["job", "container sync"],
    ]);
  });
});
