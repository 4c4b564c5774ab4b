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

/**
 * A rolling release (us-west-2, eu-west-1, then the writer us-east-1) run by a person's process;
 * the writer goes dark once its own wave has updated it.
 */
/** Every wave bakes before the next (release.bakeSeconds), so the writer's wave comes late. */
const TICKS = 200;

function rigWithRelease(abortPollMs: number | undefined) {
  const rig = watchRig(auto, {}, initialState(auto));
  const dark = (): boolean => rig.mem.stack.deployed[USE1].app.servingVersion === "2.0.0";
  rig.mem.health.policy = (region) => !(region === USE1 && dark());
  const plan = mustPlan(auto, initialState(auto), "2.0.0", { strategy: "rolling" });
  const release = runPlan(plan, {
    config: auto,
    ports: rig.mem.ports,
    holder: "alice@desk:1",
    ...(abortPollMs === undefined ? {} : { abortPollMs }),
  });
  return { rig, release, plan };
}

describe("watcher: a failed writer preempts a release another process runs", () => {
  it("the tick of the verdict preempts the release and starts the failover", async () => {
    const { rig, release } = rigWithRelease(1000);

    const reports = await rig.until((r) => r.decisions.some((d) => d.kind === "failover"), TICKS);
    const last = reports.at(-1);
    expect(last?.decisions.map((d) => `${d.kind}:${d.action}`)).toEqual([
      "preempt:recorded",
      "failover:started",
    ]);
    expect(last?.events.some((e) => e.kind === "unhealthy" && e.region === USE1)).toBe(true);

    const ended = await release;
    expect(ended.outcome).toBe("aborted");
    expect(ended.reason).toMatch(/^preempted by watch-test \(failover: writer us-east-1 is unhealthy\)/);
    const done = await rig.watcher.settled();
    expect(done.map((c) => `${c.kind} ${c.outcome}`)).toEqual(["failover succeeded"]);
    expect(rig.stored().writer).not.toBe(USE1);
    // No rollback step ran: the failover's stack update rolled the healthy regions back.
    const deploy = rig.stored().history.find((h) => h.kind === "deploy");
    expect(deploy?.steps.some((s) => s.id.startsWith("compensation/"))).toBe(false);
    for (const r of ["us-west-2", "eu-west-1"])
      expect(rig.mem.stack.deployed[r].app.servingVersion).toBe("1.0.0");
  });

  it("a release that does not look for the mark is not waited on past the tick: no failover starts then, nor once its rollback revived the writer", async () => {
    const { rig, release } = rigWithRelease(undefined);

    const reports = await rig.until(
      (r) => r.events.some((e) => e.kind === "unhealthy" && e.region === USE1),
      TICKS,
    );
    const verdict = reports.at(-1);
    expect(verdict?.decisions.some((d) => d.kind === "failover" && d.action === "started")).toBe(false);
    expect(verdict?.notes.some((n) => /was asked to stop for the failover/.test(n))).toBe(true);
    // The release's own gate still ends it, and its rollback brings the writer back: the probes
    // and Route 53 no longer agree it is down, so no unplanned failover loses writes for nothing.
    const ended = await release;
    expect(ended.outcome).toBe("rolledback");
    const after = await rig.ticks(6);
    expect(after.flatMap((r) => r.decisions).some((d) => d.kind === "failover")).toBe(false);
    expect(after.at(-1)?.regions[USE1].healthy).toBe(true);
    expect(rig.stored().writer).toBe(USE1);
    expect(await rig.watcher.settled()).toEqual([]);
  });
});
