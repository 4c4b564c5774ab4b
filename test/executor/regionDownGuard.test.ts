import { describe, expect, it } from "vitest";
import { promoteOperation, runPlan } from "../../automation/executor";
import { agreedDown, downIn, regionsCalled, sampleDown } from "../../automation/executor/regionDownGuard";
import type { Plan, Step } from "../../automation/plans/steps";
import type { HealthSample } from "../../automation/ports";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { memoryPorts } from "../support/memoryPorts";
import { sampleRawConfig } from "../support/sampleConfig";

const sample = (region: string, probeOk: boolean | null, checkerFraction: number | null): HealthSample => ({
  region,
  at: 0,
  probeOk,
  checkerFraction,
  detail: `${region} probe ${String(probeOk)}, route53 ${String(checkerFraction)}`,
});

describe("region-down guard: what counts as down (tables)", () => {
  it.each([
    { name: "both signals down", s: sample("r", false, 0), down: true },
    { name: "Route 53 at its 18 % rule, probe failing", s: sample("r", false, 0.18), down: true },
    { name: "Route 53 above 18 %: a build failing some requests", s: sample("r", false, 0.5), down: false },
    { name: "Route 53 down, probe answers", s: sample("r", true, 0), down: false },
    { name: "Route 53's API silent: not proof on one round", s: sample("r", false, null), down: false },
  ])("sampleDown: $name", ({ s, down }) => {
    expect(sampleDown(s)).toBe(down);
  });

  it.each([
    { failures: 3, s: sample("r", false, 0.9), down: true },
    { failures: 3, s: sample("r", false, null), down: true },
    { failures: 3, s: sample("r", false, 1), down: false },
    { failures: 2, s: sample("r", false, 0), down: false },
  ])(
    "agreedDown after $failures failed probes, Route 53 at $s.checkerFraction: $down",
    ({ failures, s, down }) => {
      expect(agreedDown(failures, s, 3)).toBe(down);
    },
  );

  it("one failed probe is enough in a region still on the old build, not in one serving the new", () => {
    const samples = [sample("old", false, 0.9), sample("new", false, 0.9), sample("dead", false, 0)];
    expect(downIn(samples, new Set(["old"])).map((d) => d.region)).toEqual(["old", "dead"]);
  });

  it("the regions a step calls: a stack update's targets less those left out, a gate's, an analysis's baselines", () => {
    const config = parseConfig(sampleRawConfig({ regions: 3 }));
    const state = initialState(config);
    state.regions["eu-west-1"] = { ...state.regions["eu-west-1"], excluded: true };
    const update: Step = { id: "u", kind: "stackUpdate", description: "u", excludes: ["us-west-2"] };
    expect(regionsCalled(update, state)).toEqual(["us-east-1"]);
    const analysis = { id: "a", kind: "analysis", canaryRegion: "us-west-2", baselineRegions: ["eu-west-1"] };
    expect(regionsCalled(analysis as unknown as Step, state)).toEqual(["us-west-2", "eu-west-1"]);
    expect(regionsCalled({ id: "w", kind: "wait", description: "w", seconds: 1 }, state)).toEqual([]);
    // A writer move's wait asks the target's own database endpoint.
    const awaitWriter: Step = {
      id: "aw",
      kind: "awaitWriter",
      description: "aw",
      region: "eu-west-1",
      timeoutSeconds: 60,
    };
    expect(regionsCalled(awaitWriter, state)).toEqual(["eu-west-1"]);
  });
});

describe("region-down guard: a release in manual mode never calls a region that is down", () => {
  const setup = (mode: "auto" | "manual") => {
    const config = parseConfig({ ...sampleRawConfig({ regions: 3 }), failover: { mode } });
    const mem = memoryPorts(config);
    let dead = true;
    mem.health.policy = (region) => region !== "eu-west-1" || !dead;
    const options = { config, ports: mem.ports, holder: "alice@ci:1" };
    return { mem, options, revive: () => (dead = false) };
  };
  const release = (steps: Step[], compensation: Step[] = []): Plan => ({
    id: "deploy-1",
    kind: "deploy",
    summary: "test",
    steps,
    compensation,
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
  });
  const update: Step = {
    id: "wave/update",
    kind: "stackUpdate",
    description: "update",
    targets: ["eu-west-1"],
  };

  it("pauses before a stack update of the dead region, without calling it", async () => {
    const { mem, options } = setup("manual");
    const result = await runPlan(release([update]), options);
    expect(result.outcome).toBe("paused");
    expect(result.reason).toMatch(/^region down: eu-west-1 .*step wave\/update would call eu-west-1/);
    expect(mem.log.of("stack", "up")).toEqual([]);
  });

  it("in auto mode leaves it to the watcher's preemption: the guard does not run", async () => {
    const { mem, options } = setup("auto");
    const result = await runPlan(release([update]), options);
    expect(result.outcome).toBe("succeeded");
    expect(mem.log.of("stack", "up")).toHaveLength(1);
  });

  it("pauses instead of rolling back through the dead region when a step fails", async () => {
    const { mem, options } = setup("manual");
    const patch: Step = {
      id: "wave/patch",
      kind: "patchState",
      description: "move us-west-2",
      patch: { regions: { "us-west-2": { version: "2.0.0" } } },
    };
    const gate: Step = {
      id: "wave/health",
      kind: "healthGate",
      description: "gate",
      regions: ["us-west-2"],
      consecutive: 1,
      timeoutSeconds: 30,
    };
    // us-west-2 serves a bad build (half its requests fail): its gate fails, a rollback is due.
    mem.health.policy = (region) =>
      region === "us-west-2"
        ? { checkerFraction: 0.5, probeOk: false, detail: "503 Service Unavailable" }
        : region !== "eu-west-1";
    const rollback: Step[] = [
      { id: "undo", kind: "restore", description: "undo", regions: ["us-west-2"] },
      { id: "undo-stack", kind: "stackUpdate", description: "render" },
    ];
    const result = await runPlan(release([patch, gate], rollback), options);
    expect(result.outcome).toBe("paused");
    expect(result.reason).toMatch(/region down: .*eu-west-1.*the rollback after/);
    expect(mem.log.of("stack", "up")).toEqual([]);
  });

  it("promote runs the paused step again once the region is back, instead of passing it", async () => {
    const { mem, options, revive } = setup("manual");
    await runPlan(release([update]), options);
    revive();
    const result = await promoteOperation(options, false);
    expect(result.outcome).toBe("succeeded");
    expect(mem.log.of("stack", "up")).toHaveLength(1);
  });
});
