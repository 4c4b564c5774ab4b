import { describe, expect, it } from "vitest";
import { SimTrafficControl } from "../../automation/drill/simTrafficControl";
import { VirtualClock } from "../../automation/drill/virtualClock";
import { TrafficControlUnavailableError, type TrafficState } from "../../automation/ports";
import { trafficControlContract } from "../adapters/trafficControlContract";

trafficControlContract("simulated ARC routing controls", {
  open: (regions) => new SimTrafficControl(regions, new VirtualClock()),
});

describe("the simulated ARC routing controls", () => {
  it("tell the simulated Route 53 at once, with no detection delay", async () => {
    const seen: Record<string, TrafficState>[] = [];
    const clock = new VirtualClock();
    const control = new SimTrafficControl(["us-east-1", "us-west-2"], clock, {
      onChange: (s) => seen.push(Object.fromEntries(s)),
    });
    const start = clock.now();
    await control.setRegions(["us-west-2"], ["us-east-1"]);
    expect(clock.now()).toBe(start);
    expect(control.isOn("us-east-1")).toBe(false);
    expect(control.onRegions()).toEqual(["us-west-2"]);
    expect(seen).toEqual([{ "us-east-1": "off", "us-west-2": "on" }]);
  });

  it("take the drill time a call is given, on the drill clock", async () => {
    const clock = new VirtualClock();
    const control = new SimTrafficControl(["us-east-1", "us-west-2"], clock, { callSeconds: 0.5 });
    const start = clock.now();
    const done = control.setRegions([], ["us-east-1"]);
    await clock.idle();
    expect(control.isOn("us-east-1")).toBe(true);
    expect(await clock.step(start + 10_000)).toBe(true);
    await done;
    expect(clock.now()).toBe(start + 500);
    expect(control.isOn("us-east-1")).toBe(false);
  });

  it("fail as an unreachable cluster when a drill cuts every endpoint, changing nothing", async () => {
    const control = new SimTrafficControl(["us-east-1", "us-west-2"], new VirtualClock());
    control.setReachable(false);
    await expect(control.setRegions([], ["us-east-1"])).rejects.toBeInstanceOf(
      TrafficControlUnavailableError,
    );
    expect(control.isOn("us-east-1")).toBe(true);
  });
});
