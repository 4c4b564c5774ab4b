import { describe, expect, it } from "vitest";
import { deepFreeze, isDeepFrozen } from "../../automation/state/deepFreeze";
import { privateCopy } from "../../automation/state/privateCopy";

describe("privateCopy", () => {
  it("copies a frozen document into one that shares nothing and can be changed", () => {
    const doc = deepFreeze({ a: { b: [{ c: 1 }] }, d: null, e: undefined as string | undefined });
    const copy = privateCopy(doc);
    expect(copy).toStrictEqual(doc);
    expect(Object.keys(copy)).toEqual(["a", "d", "e"]);
    copy.a.b[0].c = 2;
    copy.a.b.push({ c: 3 });
    expect(doc.a.b).toEqual([{ c: 1 }]);
  });

  it("keeps holes and copies what is not plain data as structuredClone does", () => {
    const copy = privateCopy({ xs: [1, , 3], at: new Date(5) });
    expect(1 in copy.xs).toBe(false);
    expect(copy.at).toBeInstanceOf(Date);
    expect(copy.at.getTime()).toBe(5);
  });
});

describe("isDeepFrozen", () => {
  it("sees a mutable object below a frozen one", () => {
    expect(isDeepFrozen(Object.freeze({ a: { b: 1 } }))).toBe(false);
    expect(isDeepFrozen(deepFreeze({ a: { b: [1] } }))).toBe(true);
    expect(isDeepFrozen(3)).toBe(true);
  });
});
