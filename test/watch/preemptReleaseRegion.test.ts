import { describe, expect, it } from "vitest";
import { runPlan } from "../../automation/executor";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { mustPlan } from "../plans/promotionFixtures";
import { sampleRawConfig } from "../support/sampleConfig";
import { watchRig } from "./watchHarness";

const raw = sampleRawConfig({ regions: 3 });
const auto = parseConfig({ ...raw, failover: { mode: "auto" } });
const USE1 = "us-east-1";
const USW2 = "us-west-2";
const TICKS = 200;

/**
 * A rolling release (us-west-2 first) run by a person's process; us-west-2 goes dark once its wave
 * updated it. The writer stays healthy: the watcher preempts the release before it calls the dark
 * region again, and then holds that region out of traffic. No failover.
 */
describe("watcher: a release that moves a failing region is preempted", () => {
  it("stops the release in the tick of the verdict on the region, without a rollback, then holds the region out", async () => {
    const rig = watchRig(auto, {}, initialState(auto));
    const dark = (): boolean => rig.mem.stack.deployed[USW2].app.servingVersion === "2.0.0";
    rig.mem.health.policy = (region) => !(region === USW2 && dark());
    const plan = mustPlan(auto, initialState(auto), "2.0.0", { strategy: "rolling" });
    const release = runPlan(plan, {
      config: auto,
      ports: rig.mem.ports,
      holder: "alice@desk:1",
      abortPollMs: 1000,
    });

    const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "preempt"), TICKS);
    const last = reports.at(-1);
    // The verdict's tick: the release is stopped, and the region is held out in the same tick. The
    // rollback the release left in the state waits as a deferred stack update meanwhile.
    expect(last?.decisions.map((d) => `${d.kind}:${d.action}:${d.region ?? ""}`)).toEqual([
      "preempt:recorded:",
      "reconcile:deferred:",
      `holdout:started:${USW2}`,
    ]);
    expect(last?.decisions[0].summary).toMatch(/hold-out: us-west-2 is failing/);
    const ended = await release;
    expect(ended.outcome).toBe("aborted");
    const deploy = rig.stored().history.find((h) => h.kind === "deploy");
    expect(deploy?.steps.some((s) => s.id.startsWith("compensation/"))).toBe(false);

    expect((await rig.watcher.settled()).map((c) => `${c.kind} ${c.outcome}`)).toEqual(["traffic succeeded"]);
    expect(rig.stored().writer).toBe(USE1);
    expect(rig.stored().regions[USW2]).toMatchObject({ drained: true, excluded: true });
    expect(rig.stored().history.some((h) => h.kind === "failover")).toBe(false);
    // The hold-out's update rendered every region but the one it excluded: nothing is pending.
    expect(rig.stored().deferredStackUpdate ?? null).toBeNull();
  });
});
