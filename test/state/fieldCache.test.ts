import { describe, expect, it } from "vitest";
import { type OperationalState, parseState } from "../../components/operationalState";
import { deepFreeze } from "../../automation/state/deepFreeze";
import { sameValue, stateFields } from "../../automation/state/fieldCache";
import { sampleState } from "../adapters/state/sampleState";
import { withRunningDeploy } from "../support/runningOperation";

function withOperation(state: OperationalState, detail: string): OperationalState {
  return withRunningDeploy(state, {
    steps: [{ id: "wave-1/update", regions: ["us-east-1"], detail }],
    compensation: [],
  });
}

/** The exact shape, key order and undefined-valued keys included. */
const shapeOf = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === undefined ? "<undefined>" : x))) as unknown;

describe("stateFields('value'): what parseState gives, parsing only what changed", () => {
  it("gives parseState's document for each version of a sequence, key order and undefined fields included", () => {
    const fields = stateFields("value");
    const versions: OperationalState[] = [
      withOperation(sampleState("a"), "first"),
      withOperation(sampleState("a"), "second"),
      { ...withOperation(sampleState("b"), "second"), rpoGuardRelaxed: undefined },
      // Keys in another order than the schema's: parsing puts them back in order.
      Object.fromEntries(Object.entries(sampleState("b")).reverse()) as OperationalState,
      { ...sampleState("b"), rpoGuardRelaxed: ["us-west-2"] },
    ];
    for (const v of versions) {
      const got = fields.copy(v);
      expect(shapeOf(got)).toEqual(shapeOf(parseState(v, "test")));
    }
  });

  it("reuses an unchanged field's frozen value and parses a changed one afresh", () => {
    const fields = stateFields("value");
    const first = fields.copy(withOperation(sampleState("a"), "first")) as OperationalState;
    const second = fields.copy(withOperation(sampleState("b"), "first")) as OperationalState;
    expect(second.history).toBe(first.history);
    expect(second.operation?.plan).toBe(first.operation?.plan);
    expect(second.regions).not.toBe(first.regions);
    expect(second.regions["us-west-2"].note).toBe("b");
    const third = fields.copy(withOperation(sampleState("b"), "changed")) as OperationalState;
    expect((third.operation?.plan as { steps: { detail: string }[] }).steps[0].detail).toBe("changed");
    expect(Object.isFrozen((third.operation?.plan as { steps: object[] }).steps[0])).toBe(true);
  });

  it("gives back the kept operation itself when none of its fields changed, and a new one when one did", () => {
    const fields = stateFields("value");
    const first = fields.copy(withOperation(sampleState("a"), "first")) as OperationalState;
    const second = fields.copy({
      ...withOperation(sampleState("a"), "first"),
      writer: "us-west-2",
    }) as OperationalState;
    expect(second.operation).toBe(first.operation);
    const moved = withOperation(sampleState("a"), "first");
    const third = fields.copy({
      ...moved,
      operation: { ...moved.operation!, cursor: 1 },
    }) as OperationalState;
    expect(third.operation).not.toBe(first.operation);
    expect(third.operation?.cursor).toBe(1);
    expect(third.operation?.plan).toBe(first.operation?.plan);
  });

  it("parses only the new or changed elements of a list, and refuses a bad or missing one", () => {
    const fields = stateFields("value");
    const record = (id: string, detail: string | null) => ({
      index: 0,
      id,
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: null,
      outcome: null,
      detail,
    });
    const doc = (steps: unknown[]): OperationalState => {
      const d = withOperation(sampleState("a"), "x");
      return { ...d, operation: { ...d.operation!, steps: steps as never } };
    };
    const one = fields.copy(doc([record("a", null)])) as OperationalState;
    const two = fields.copy(doc([record("a", null), record("b", null)])) as OperationalState;
    expect(two.operation?.steps[0]).toBe(one.operation?.steps[0]);
    const changed = fields.copy(doc([record("a", "done"), record("b", null)])) as OperationalState;
    expect(changed.operation?.steps.map((r) => r.detail)).toEqual(["done", null]);
    expect(changed.operation?.steps[1]).toBe(two.operation?.steps[1]);
    expect(fields.copy(doc([record("a", "done"), { ...record("b", null), index: -1 }]))).toBeNull();
    expect(fields.copy(doc([record("a", "done"), undefined]))).toBeNull();
    const back = fields.copy(doc([record("a", "done")])) as OperationalState;
    expect(shapeOf(back)).toEqual(shapeOf(parseState(doc([record("a", "done")]), "test")));
  });

  it("refuses a bad field next to unchanged ones, and a key the schema does not know even when undefined", () => {
    const fields = stateFields("value");
    const good = withOperation(sampleState("a"), "first");
    expect(fields.copy(good)).not.toBeNull();
    const bad = withOperation(sampleState("a"), "first");
    (bad.operation as { cursor: number }).cursor = -1;
    expect(fields.copy(bad)).toBeNull();
    expect(fields.copy({ ...good, surprise: undefined })).toBeNull();
    expect(fields.copy({ ...good, operation: undefined })).toBeNull();
  });
});

describe("stateFields('json'): what a store reads back", () => {
  it("takes a frozen value given again as unchanged, and compares one that is not frozen throughout", () => {
    const fields = stateFields("json");
    const plan = deepFreeze({ steps: [{ id: "a", detail: "first" }] });
    const doc = withOperation(sampleState("a"), "x");
    const first = fields.copy({ ...doc, operation: { ...doc.operation, plan } }) as OperationalState;
    const again = fields.copy({ ...doc, operation: { ...doc.operation, plan } }) as OperationalState;
    expect(again.operation?.plan).toBe(first.operation?.plan);
    // Frozen on top only: a change below must still be seen.
    const shallow = Object.freeze({ steps: [{ id: "a", detail: "first" }] });
    fields.copy({ ...doc, operation: { ...doc.operation, plan: shallow } });
    shallow.steps[0].detail = "changed below";
    const later = fields.copy({ ...doc, operation: { ...doc.operation, plan: shallow } }) as OperationalState;
    expect((later.operation?.plan as { steps: { detail: string }[] }).steps[0].detail).toBe("changed below");
  });
});

describe("sameValue", () => {
  it.each([
    [{ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, false],
    [{ a: 1, b: undefined }, { a: 1 }, false],
    [[1, 2], [1, 2, 3], false],

    [[1, , 3], [1, undefined, 3], false],
    [new Date(0), {}, false],
    [{ a: null }, { a: {} }, false],
  ])("%j against %j: %s", (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
  });
});
