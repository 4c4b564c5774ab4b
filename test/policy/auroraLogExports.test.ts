import { describe, expect, it } from "vitest";
import { auroraLogExports as policy } from "../../policy/policies/auroraLogExports";
import { goodStack, patch, previewViolationsOf, UNKNOWN, violationsOf } from "./fixtures";

describe("aurora-log-exports", () => {
  it("accepts clusters exporting their engine log", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("flags a cluster without exports, or without the engine's log, as advisory", async () => {
    const stack = patch(goodStack(), "us-west-2-db", { enabledCloudwatchLogsExports: undefined });
    patch(stack, "eu-west-1-db", { enabledCloudwatchLogsExports: ["upgrade"] });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([
      ["us-west-2-db", "advisory"],
      ["eu-west-1-db", "advisory"],
    ]);
    expect(v[0].message).toContain("export at least postgresql");
    expect(v[1].message).toContain('lacks "postgresql"');
  });

  it("asks MySQL for its error log", async () => {
    const stack = patch(goodStack(), "us-west-2-db", {
      engine: "aurora-mysql",
      enabledCloudwatchLogsExports: ["slowquery"],
    });
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      'enabledCloudwatchLogsExports lacks "error", the aurora-mysql engine log.',
    ]);
  });

  it("waits for exports computed later in a preview", async () => {
    const stack = patch(goodStack(), "us-west-2-db", { enabledCloudwatchLogsExports: UNKNOWN });
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
