import { describe, expect, it } from "vitest";
import { TrafficChangeRejectedError, type TrafficControl } from "../../automation/ports";

/**
 * The behaviour every TrafficControl must have, run against each implementation: the ARC adapter
 * on a mocked cluster and the drill's simulation.
 */
export interface TrafficControlHarness {
  /** A control over `regions`, every one of them on. */
  open(regions: readonly string[]): TrafficControl;
}

const REGIONS = ["eu-west-1", "us-east-1", "us-west-2"];

const asObject = (m: ReadonlyMap<string, string>): Record<string, string> => Object.fromEntries(m);

export function trafficControlContract(name: string, harness: TrafficControlHarness): void {
  describe(`${name}: TrafficControl contract`, () => {
    it("lists its regions and describes every one of them", async () => {
      const control = harness.open(REGIONS);
      expect([...control.regions].sort()).toEqual(REGIONS);
      expect(asObject(await control.describe())).toEqual({
        "eu-west-1": "on",
        "us-east-1": "on",
        "us-west-2": "on",
      });
    });

    it("moves traffic in one change: the regions named on are on, those named off are off, the rest untouched", async () => {
      const control = harness.open(REGIONS);
      await control.setRegions([], ["us-east-1", "eu-west-1"]);
      expect(asObject(await control.describe())).toEqual({
        "eu-west-1": "off",
        "us-east-1": "off",
        "us-west-2": "on",
      });
      // A failover from the last region on to another: legal only because it is one change.
      await control.setRegions(["us-east-1"], ["us-west-2"]);
      expect(asObject(await control.describe())).toEqual({
        "eu-west-1": "off",
        "us-east-1": "on",
        "us-west-2": "off",
      });
    });

    it("is idempotent", async () => {
      const control = harness.open(REGIONS);
      await control.setRegions(["us-west-2"], ["eu-west-1"]);
      await control.setRegions(["us-west-2"], ["eu-west-1"]);
      expect((await control.describe()).get("eu-west-1")).toBe("off");
      expect((await control.describe()).get("us-west-2")).toBe("on");
    });

    it("refuses a change that would leave no region on, and changes nothing", async () => {
      const control = harness.open(REGIONS);
      await control.setRegions([], ["eu-west-1"]);
      const before = asObject(await control.describe());
      await expect(control.setRegions([], ["us-east-1", "us-west-2"])).rejects.toBeInstanceOf(
        TrafficChangeRejectedError,
      );
      expect(asObject(await control.describe())).toEqual(before);
    });

    it("refuses an unknown region or a region named both on and off, naming each, and changes nothing", async () => {
      const control = harness.open(REGIONS);
      const err = await control.setRegions(["ap-south-1", "us-east-1"], ["us-east-1"]).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/ap-south-1 is not under traffic control/);
      expect((err as Error).message).toMatch(/us-east-1 is named both on and off/);
      expect(asObject(await control.describe())).toEqual({
        "eu-west-1": "on",
        "us-east-1": "on",
        "us-west-2": "on",
      });
    });

    it("stops before changing anything when the signal has fired", async () => {
      const control = harness.open(REGIONS);
      const abort = new AbortController();
      abort.abort(new Error("stopped"));
      await expect(control.setRegions([], ["us-east-1"], abort.signal)).rejects.toThrow(/stopped/);
      expect((await control.describe()).get("us-east-1")).toBe("on");
    });
  });
}
