import { describe, expect, it } from "vitest";
import { kubernetesImageDigest as policy } from "../../policy/policies/kubernetesImageDigest";
import { find, goodStack, previewViolationsOf, res, UNKNOWN, violationsOf } from "./fixtures";

type Spec = { template: { spec: { containers: Record<string, unknown>[] } } };
const containerOf = (stack: ReturnType<typeof goodStack>, name: string) =>
  (find(stack, name).inputs.spec as Spec).template.spec.containers[0];

describe("kubernetes-image-digest", () => {
  it("accepts images pinned by digest", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it.each(["registry.example.com/shop/web:1.0.0", "registry.example.com/shop/web", "web@sha256:abc"])(
    "flags %s as advisory",
    async (image) => {
      const stack = goodStack();
      containerOf(stack, "eu-west-1-app-blue").image = image;
      const v = await violationsOf([policy], stack);
      expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([
        ["eu-west-1-app-blue", "advisory"],
      ]);
      expect(v[0].message).toContain(image);
    },
  );

  it("checks CronJob containers", async () => {
    const stack = goodStack();
    stack.push(
      res("kubernetes:batch/v1:CronJob", "job", {
        spec: {
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "sync", image: "s:1" }] } } } },
        },
      }),
    );
    expect((await violationsOf([policy], stack)).map((x) => x.resource?.name)).toEqual(["job"]);
  });

  it("waits for an image computed later in a preview", async () => {
    const stack = goodStack();
    containerOf(stack, "eu-west-1-app-blue").image = UNKNOWN;
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
