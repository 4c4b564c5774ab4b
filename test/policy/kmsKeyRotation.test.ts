import { describe, expect, it } from "vitest";
import { kmsKeyRotation as policy } from "../../policy/policies/kmsKeyRotation";
import { goodStack, previewViolationsOf, res, UNKNOWN, violationsOf } from "./fixtures";

const KEY = "aws:kms/key:Key";

describe("kms-key-rotation", () => {
  it("accepts keys that rotate", async () => {
    expect(await violationsOf([policy], goodStack())).toEqual([]);
  });

  it("rejects a key without rotation or with it off", async () => {
    const stack = goodStack();
    stack.push(res(KEY, "unset", {}), res(KEY, "off", { enableKeyRotation: false }));
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => [x.resource?.name, x.enforcementLevel])).toEqual([
      ["unset", "mandatory"],
      ["off", "mandatory"],
    ]);
  });

  it("waits for a value computed later in a preview", async () => {
    const stack = goodStack();
    stack.push(res(KEY, "later", { enableKeyRotation: UNKNOWN }));
    expect(await previewViolationsOf([policy], stack)).toEqual([]);
  });
});
