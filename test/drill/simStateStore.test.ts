import { describe, expect, it } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { sampleState } from "../adapters/state/sampleState";
import { withRunningDeploy } from "../support/runningOperation";

/** A document with an operation in flight whose plan is deep, as the executor writes it. */
function withOperation(state: OperationalState, detail: string): OperationalState {
  return withRunningDeploy(state, {
    steps: [{ id: "wave-1/update", regions: ["us-east-1", "eu-west-1"], detail }],
    compensation: [],
  });
}

function store(): SimStateStore {
  return new SimStateStore({ now: () => 0, sleep: async () => undefined } as never);
}

/**
 * The drill's store copies only the fields that changed since the last write. These cases would
 * go wrong if it reused a field it should not: each stored document must equal the document's JSON
 * parsed whole.
 */
describe("SimStateStore: a write reuses only the fields that did not change", () => {
  it("stores a change deep inside the plan, and in a region, next to fields written unchanged", async () => {
    const s = store();
    let etag = await s.write(withOperation(sampleState("a"), "first"), null);
    const next = withOperation(sampleState("a"), "second");
    etag = await s.write(next, etag);
    expect(s.peek()).toEqual(JSON.parse(JSON.stringify(next)));
    const third = withOperation(sampleState("b"), "second");
    await s.write(third, etag);
    expect(s.peek()?.regions["us-west-2"].note).toBe("b");
    expect((s.peek()?.operation?.plan as { steps: { detail: string }[] }).steps[0].detail).toBe("second");
  });

  it("keeps what it stored when the writer changes its own object afterwards", async () => {
    const s = store();
    const doc = withOperation(sampleState("a"), "first");
    const etag = await s.write(doc, null);
    (doc.operation?.plan as { steps: { detail: string }[] }).steps[0].detail = "changed behind its back";
    doc.regions["us-west-2"].note = "changed too";
    await s.write(withOperation(sampleState("a"), "first"), etag);
    expect((s.peek()?.operation?.plan as { steps: { detail: string }[] }).steps[0].detail).toBe("first");
    expect(s.peek()?.regions["us-west-2"].note).toBe("a");
    expect(Object.isFrozen(s.peek()?.operation?.plan)).toBe(true);
  });

  it("drops undefined fields as JSON does, and tells a field set to undefined from one left as it was", async () => {
    const s = store();
    const first = { ...sampleState("a"), rpoGuardRelaxed: ["us-west-2"] };
    let etag = await s.write(first, null);
    const cleared = { ...sampleState("a"), rpoGuardRelaxed: undefined };
    etag = await s.write(cleared, etag);
    expect(s.peek()).not.toHaveProperty("rpoGuardRelaxed");
    expect(Object.keys(s.peek() ?? {})).toEqual(Object.keys(JSON.parse(JSON.stringify(cleared)) as object));
    await s.write({ ...sampleState("a"), rpoGuardRelaxed: ["us-west-2"] }, etag);
    expect(s.peek()?.rpoGuardRelaxed).toEqual(["us-west-2"]);
  });

  it("refuses an invalid field even when the rest is unchanged, naming it, and keeps the stored document", async () => {
    const s = store();
    const good = withOperation(sampleState("a"), "first");
    const etag = await s.write(good, null);
    const bad = withOperation(sampleState("a"), "first");
    (bad.operation as { cursor: number }).cursor = -1;
    await expect(s.write(bad, etag)).rejects.toThrow(/operation\.cursor/);
    const extra = { ...withOperation(sampleState("a"), "first"), surprise: 1 } as OperationalState;
    await expect(s.write(extra, etag)).rejects.toThrow(/surprise/);
    expect(s.peek()).toEqual(JSON.parse(JSON.stringify(good)));
  });
});
