import { describe, expect, it } from "vitest";
import { stackSingleWriter as policy } from "../../policy/policies/stackSingleWriter";
import { find, goodStack, patch, violationsOf } from "./fixtures";

describe("stack-single-writer", () => {
  it("accepts one writer, in the expected region", async () => {
    expect(
      await violationsOf([policy], goodStack({ writer: "us-west-2" }), {}, { writer: "us-west-2" }),
    ).toEqual([]);
  });

  it("rejects two writers", async () => {
    const stack = patch(goodStack(), "eu-west-1-db", {
      masterUsername: "regionctl",
      masterPassword: "x-password-x",
    });
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => x.message)).toEqual([
      "global database dev-global has 2 writer clusters: us-east-1-db (us-east-1), eu-west-1-db (eu-west-1); exactly one is allowed.",
    ]);
    expect(v[0].resource?.name).toBe("dev-global");
  });

  it("rejects a database without a writer", async () => {
    const stack = patch(goodStack(), "us-east-1-db", {
      masterUsername: undefined,
      masterPassword: undefined,
    });
    expect((await violationsOf([policy], stack)).map((x) => x.message)).toEqual([
      "global database dev-global has no writer cluster.",
    ]);
  });

  it("rejects a writer outside the expected writer region", async () => {
    const v = await violationsOf([policy], goodStack({ writer: "us-east-1" }), {}, { writer: "us-west-2" });
    expect(v.map((x) => x.message)).toEqual([
      "the writer cluster us-east-1-db (us-east-1) is not in the writer region us-west-2.",
    ]);
  });

  it("lets a role tag decide over credentials", async () => {
    const stack = goodStack();
    find(stack, "us-east-1-db").inputs.tags = { role: "secondary" };
    find(stack, "us-west-2-db").inputs.tags = { role: "writer" };
    const v = await violationsOf([policy], stack, {}, { writer: "us-west-2" });
    expect(v).toEqual([]);
  });
});
