import { describe, expect, it } from "vitest";
import { StateSchemaError } from "../../../components/operationalState";
import {
  LeaseHeldError,
  LeaseLostError,
  StateConflictError,
  type StateStore,
} from "../../../automation/ports";
import { sampleState } from "./sampleState";

/**
 * The behaviour every StateStore must have, run against each implementation. A "place" is one
 * environment's storage location; two stores opened on the same place are two independent
 * writers (two processes, two CI jobs) sharing it.
 */
export interface StateStoreHarness {
  /** A fresh, empty place. */
  newPlace(): Promise<string>;
  open(place: string, now: () => number): StateStore;
  /**
   * Puts raw text where the state document lives, bypassing the store's validation. Absent for the
   * in-memory stores: no other process can leave text in them, so only what they are given through
   * `write` (validated there) can ever be read back.
   */
  putRawDocument?(place: string, text: string): Promise<void>;
}

/** A clock the test moves by hand, shared by every store in one test. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = Date.UTC(2030, 0, 1);
  return { now: () => t, advance: (ms) => (t += ms) };
}

export function stateStoreContract(name: string, harness: StateStoreHarness): void {
  describe(`${name}: StateStore contract`, () => {
    async function twoStores(): Promise<{
      a: StateStore;
      b: StateStore;
      clock: ReturnType<typeof manualClock>;
    }> {
      const place = await harness.newPlace();
      const clock = manualClock();
      return { a: harness.open(place, clock.now), b: harness.open(place, clock.now), clock };
    }

    it("reads null state and no lease from an empty place", async () => {
      const { a } = await twoStores();
      expect(await a.read()).toBeNull();
      expect(await a.readLease()).toBeNull();
    });

    it("creates the document only when none exists", async () => {
      const { a, b } = await twoStores();
      const etag = await a.write(sampleState("first"), null);
      expect(etag).toMatch(/\S/);
      const stored = await b.read();
      expect(stored).toEqual({ state: sampleState("first"), etag });
      await expect(b.write(sampleState("second"), null)).rejects.toBeInstanceOf(StateConflictError);
      expect((await a.read())?.state).toEqual(sampleState("first"));
    });

    it("updates when the etag matches and refuses a stale etag", async () => {
      const { a, b } = await twoStores();
      const first = await a.write(sampleState("v1"), null);
      const second = await b.write(sampleState("v2"), first);
      expect(second).not.toBe(first);
      expect(await a.read()).toEqual({ state: sampleState("v2"), etag: second });
      const conflict = a.write(sampleState("v3-from-stale-read"), first);
      await expect(conflict).rejects.toBeInstanceOf(StateConflictError);
      await expect(conflict).rejects.toThrow(a.location);
      expect((await b.read())?.state).toEqual(sampleState("v2"));
    });

    it("lets exactly one of two concurrent writers with the same etag win, every time", async () => {
      const { a, b } = await twoStores();
      let etag = await a.write(sampleState("round 0"), null);
      for (let round = 1; round <= 15; round++) {
        const results = await Promise.allSettled([
          a.write(sampleState(`round ${round} a`), etag),
          b.write(sampleState(`round ${round} b`), etag),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(StateConflictError);
        const winner = results[0].status === "fulfilled" ? "a" : "b";
        const stored = await a.read();
        expect(stored?.state.regions["us-west-2"].note).toBe(`round ${round} ${winner}`);
        etag = (won[0] as PromiseFulfilledResult<string>).value;
        expect(stored?.etag).toBe(etag);
      }
    });

    it("refuses a second lease holder, naming holder, operation and expiry", async () => {
      const { a, b, clock } = await twoStores();
      const lease = await a.acquireLease("ci-job-17", "deploy 1.4.2", 60_000);
      expect(lease).toMatchObject({
        holder: "ci-job-17",
        operation: "deploy 1.4.2",
        expiresAt: clock.now() + 60_000,
      });
      expect(await b.readLease()).toEqual(lease);
      const refused = b.acquireLease("laptop-anna", "failover", 60_000);
      await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(refused).rejects.toMatchObject({
        holder: "ci-job-17",
        operation: "deploy 1.4.2",
        expiresAt: lease.expiresAt,
      });
      await expect(refused).rejects.toThrow(
        /deploy 1\.4\.2 held by ci-job-17 until 2030-01-01T00:01:00\.000Z/,
      );
      clock.advance(59_999);
      await expect(b.acquireLease("laptop-anna", "failover", 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
    });

    it("refuses a live lease to its own holder too, and grants it again once expired", async () => {
      const { a, b, clock } = await twoStores();
      const lease = await a.acquireLease("watcher-1", "deploy", 30_000);
      const again = a.acquireLease("watcher-1", "failover", 30_000);
      await expect(again).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(again).rejects.toMatchObject({ holder: "watcher-1", operation: "deploy" });
      await expect(b.acquireLease("watcher-1", "repair", 30_000)).rejects.toBeInstanceOf(LeaseHeldError);
      expect(await a.readLease()).toEqual(lease);
      clock.advance(30_001);
      const retaken = await a.acquireLease("watcher-1", "failover", 30_000);
      expect(retaken).toMatchObject({ holder: "watcher-1", operation: "failover" });
      await expect(a.renewLease(lease, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
    });

    it("takes over an expired lease; the old holder can then neither renew nor release it", async () => {
      const { a, b, clock } = await twoStores();
      const old = await a.acquireLease("run-1", "deploy", 30_000);
      clock.advance(30_001);
      const taken = await b.acquireLease("run-2", "abort", 30_000);
      expect(taken).toMatchObject({ holder: "run-2", operation: "abort", expiresAt: clock.now() + 30_000 });
      await expect(a.renewLease(old, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
      await a.releaseLease(old);
      expect(await b.readLease()).toEqual(taken);
    });

    it("renews a lease it holds, even past expiry when nobody took it, and the renewal supersedes the old one", async () => {
      const { a, b, clock } = await twoStores();
      const lease = await a.acquireLease("run-1", "deploy", 10_000);
      clock.advance(15_000);
      const renewed = await a.renewLease(lease, 10_000);
      expect(renewed).toMatchObject({
        holder: "run-1",
        operation: "deploy",
        expiresAt: clock.now() + 10_000,
      });
      expect(renewed.etag).not.toBe(lease.etag);
      await expect(b.acquireLease("run-2", "deploy", 10_000)).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(a.renewLease(lease, 10_000)).rejects.toBeInstanceOf(LeaseLostError);
    });

    it("releases a lease so the next holder gets it at once", async () => {
      const { a, b } = await twoStores();
      const lease = await a.acquireLease("run-1", "deploy", 60_000);
      await a.releaseLease(lease);
      expect(await b.readLease()).toBeNull();
      const next = await b.acquireLease("run-2", "deploy", 60_000);
      expect(next.holder).toBe("run-2");
      await a.releaseLease(lease);
      expect(await a.readLease()).toEqual(next);
    });

    it("gives a lease to exactly one of two concurrent acquirers", async () => {
      for (let round = 0; round < 5; round++) {
        const { a, b } = await twoStores();
        const results = await Promise.allSettled([
          a.acquireLease("run-a", "deploy", 60_000),
          b.acquireLease("run-b", "deploy", 60_000),
        ]);
        const won = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<{
          holder: string;
        }>[];
        const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
        expect(won).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(LeaseHeldError);
        expect((lost[0].reason as LeaseHeldError).holder).toBe(won[0].value.holder);
        expect((await a.readLease())?.holder).toBe(won[0].value.holder);
      }
    });

    const putRaw = harness.putRawDocument?.bind(harness);
    if (putRaw !== undefined) {
      it("rejects an invalid stored document with an error naming the field", async () => {
        const place = await harness.newPlace();
        const store = harness.open(place, Date.now);
        const bad = JSON.parse(JSON.stringify(sampleState())) as Record<string, unknown>;
        (bad.regions as Record<string, Record<string, unknown>>)["us-east-1"].activeColor = "purple";
        delete bad.writer;
        await putRaw(place, JSON.stringify(bad));
        const read = store.read();
        await expect(read).rejects.toBeInstanceOf(StateSchemaError);
        await expect(read).rejects.toThrow(/regions\.us-east-1\.activeColor/);
        await expect(read).rejects.toThrow(/writer: Required/);
        await expect(read).rejects.toThrow(store.location);
        await putRaw(place, "{ not json");
        await expect(store.read()).rejects.toThrow(/not valid JSON/);
      });

      it("names an empty, null, truncated or newer-schema document as such, with the fix", async () => {
        const place = await harness.newPlace();
        const store = harness.open(place, Date.now);
        const cases: [string, RegExp][] = [
          ["", /the file is empty.*restore it from a backup/],
          ["null", /the document is null, not an operational state/],
          [JSON.stringify(sampleState()).slice(0, 80), /not valid JSON.*perhaps truncated/],
          [
            JSON.stringify({ ...sampleState(), schemaVersion: 7 }),
            /schemaVersion: written by a newer regionctl \(schema 7\).*upgrade regionctl/,
          ],
        ];
        for (const [text, message] of cases) {
          await putRaw(place, text);
          const read = store.read();
          await expect(read).rejects.toBeInstanceOf(StateSchemaError);
          await expect(read).rejects.toThrow(message);
        }
      });
    }

    it("refuses to write an invalid document and leaves the stored one alone", async () => {
      const { a } = await twoStores();
      const etag = await a.write(sampleState("good"), null);
      const bad = sampleState("bad");
      const broken = {
        ...bad,
        regions: { ...bad.regions, "eu-west-1": { ...bad.regions["eu-west-1"], canaryWeight: 150 } },
      };
      await expect(a.write(broken, etag)).rejects.toThrow(/regions\.eu-west-1\.canaryWeight/);
      expect(await a.read()).toEqual({ state: sampleState("good"), etag });
    });
  });
}
