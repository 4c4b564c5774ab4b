import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { type OperationRecord, initialState } from "../../components/operationalState";
import type { OperationalState } from "../../components/operationalState";
import { sampleRawConfig } from "../support/sampleConfig";
import { TICK_MS, watchRig } from "./watchHarness";

/**
 * A tick observes every region first (a hung region holds the round for the probe timeout, 6 s),
 * and only then reads the state and the lease it decides on. An operation that ends during the
 * probe round must not be resumed, and one whose rollback failed is never pushed on by itself.
 */
const config = parseConfig(sampleRawConfig({ regions: 3 }));
const [USE1, EUW1] = ["us-east-1", "eu-west-1"];

function withOperation(kind: OperationRecord["kind"], phase: OperationRecord["phase"]): OperationalState {
  const state = initialState(config);
  return {
    ...state,
    operation: {
      id: `${kind}-1`,
      kind,
      plan: { id: `${kind}-1`, kind, summary: "x", steps: [], compensation: [], regions: [] },
      before: state.regions,
      writerBefore: USE1,
      phase,
      cursor: 0,
      steps: [],
      startedAt: new Date(0).toISOString(),
      finishedAt: null,
      reason: phase === "failed" ? "rollback step rollback/restore failed: eu-west-1 did not answer" : null,
    },
  };
}

describe("watcher: the state it acts on is read after the probe round", () => {
  it("does not resume an operation that finished while the regions were being probed", async () => {
    const rig = watchRig(config, { databaseCheckSeconds: 3600 }, withOperation("repair", "running"));
    // eu-west-1 hangs: the round takes the full probe timeout.
    rig.mem.health.policy = (region) => (region === EUW1 ? "hang" : true);
    const lease = await rig.mem.state.acquireLease("other-watcher", "repair-1", 5_000);
    // The other process finishes its repair 3 s into the round and lets go of the lease; its lease
    // would have expired by the time the round ends anyway.
    void rig.mem.clock.sleep(3_000).then(async () => {
      const stored = rig.stored();
      const op = stored.operation as OperationRecord;
      const { plan: _plan, ...record } = op;
      rig.mem.state.overwrite({
        ...stored,
        operation: null,
        history: [
          ...stored.history,
          { ...record, phase: "succeeded", finishedAt: new Date(rig.mem.clock.now()).toISOString() },
        ],
      });
      await rig.mem.state.releaseLease(lease);
    });

    const report = await rig.watcher.tick();

    expect(report.decisions.some((d) => d.kind === "resume")).toBe(false);
    expect(rig.watcher.running).toBeNull();
    expect(rig.stored().operation).toBeNull();
    expect(rig.stored().history.at(-1)).toMatchObject({ id: "repair-1", phase: "succeeded" });
    expect(rig.mem.stack.calls).toEqual([]);
  });

  it("never resumes an operation whose rollback failed, and its reason does not grow tick after tick", async () => {
    const rig = watchRig(config, { databaseCheckSeconds: 3600 }, withOperation("deploy", "failed"));
    const before = rig.stored().operation?.reason;
    const reports = [];
    for (let i = 0; i < 5; i++) {
      reports.push(await rig.watcher.tick());
      await rig.mem.clock.sleep(TICK_MS);
    }
    for (const r of reports) {
      expect(r.decisions).toEqual([
        expect.objectContaining({
          kind: "operation",
          action: "reported",
          command: expect.stringMatching(/regionctl resume/),
        }),
      ]);
      expect(r.exitCode).toBe(1);
    }
    expect(rig.stored().operation).toMatchObject({ phase: "failed", reason: before });
    expect(rig.mem.stack.calls).toEqual([]);
  });
});
