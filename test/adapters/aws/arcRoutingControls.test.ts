import { afterEach, describe, expect, it } from "vitest";
import {
  arcClusterClientConfig,
  arcOptionsFromOutputs,
  arcRoutingControls,
  arcRoutingControlsFromStack,
} from "../../../automation/adapters/aws/arcRoutingControls";
import { TrafficChangeRejectedError, TrafficControlUnavailableError } from "../../../automation/ports";
import { trafficControlContract } from "../trafficControlContract";
import { type ArcClusterMock, arcClusterMock, routingControlArn } from "./arcClusterMock";

let cluster: ArcClusterMock | undefined;
afterEach(() => {
  cluster?.restore();
  cluster = undefined;
});

function open(regions: readonly string[], random = (): number => 0) {
  cluster?.restore();
  cluster = arcClusterMock(regions);
  const c = cluster;
  return {
    cluster: c,
    control: arcRoutingControls({
      endpoints: c.endpoints,
      routingControlArns: Object.fromEntries(regions.map((r) => [r, routingControlArn(r)])),
      clientFor: (ep) => c.clientFor(ep),
      random,
    }),
  };
}

trafficControlContract("ARC routing controls on a mocked cluster", {
  open: (regions) => open(regions, Math.random).control,
});

trafficControlContract("ARC routing controls opened from a stack's arc output", {
  open: (regions) => {
    cluster?.restore();
    cluster = arcClusterMock(regions);
    const c = cluster;
    return arcRoutingControlsFromStack(
      regions,
      async () => ({
        arc: {
          clusterEndpoints: c.endpoints,
          routingControlArns: Object.fromEntries(regions.map((r) => [r, routingControlArn(r)])),
        },
      }),
      { clientFor: (ep) => c.clientFor(ep) },
    );
  },
});

describe("the ARC routing controls adapter", () => {
  it("sends the whole change as one UpdateRoutingControlStates batch", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2", "eu-west-1"]);
    await control.setRegions(["us-west-2"], ["us-east-1", "eu-west-1"]);
    const updates = c.calls.filter((k) => k.command === "UpdateRoutingControlStates");
    expect(updates).toHaveLength(1);
    expect(updates[0].input).toEqual({
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: routingControlArn("us-west-2"), RoutingControlState: "On" },
        { RoutingControlArn: routingControlArn("us-east-1"), RoutingControlState: "Off" },
        { RoutingControlArn: routingControlArn("eu-west-1"), RoutingControlState: "Off" },
      ],
    });
    expect(c.states.get(routingControlArn("us-east-1"))).toBe("Off");
  });

  it("reads each routing control with GetRoutingControlState", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2"]);
    c.states.set(routingControlArn("us-east-1"), "Off");
    expect(Object.fromEntries(await control.describe())).toEqual({ "us-east-1": "off", "us-west-2": "on" });
    expect(c.calls.map((k) => [k.command, k.input]).sort()).toEqual([
      ["GetRoutingControlState", { RoutingControlArn: routingControlArn("us-east-1") }],
      ["GetRoutingControlState", { RoutingControlArn: routingControlArn("us-west-2") }],
    ]);
  });

  it("tries the next endpoint while one does not answer: the first two fail, the third answers", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2"]);
    c.down.add(c.endpoints[0].endpoint);
    c.down.add(c.endpoints[1].endpoint);
    await control.setRegions(["us-west-2"], ["us-east-1"]);
    expect(c.calls.map((k) => k.endpoint)).toEqual([
      c.endpoints[0].endpoint,
      c.endpoints[1].endpoint,
      c.endpoints[2].endpoint,
    ]);
    expect(c.states.get(routingControlArn("us-east-1"))).toBe("Off");
  });

  it("starts at a random endpoint and wraps around", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2"], () => 0.9);
    c.down.add(c.endpoints[4].endpoint);
    await control.setRegions([], ["us-east-1"]);
    expect(c.calls.map((k) => k.endpoint)).toEqual([c.endpoints[4].endpoint, c.endpoints[0].endpoint]);
  });

  it("surfaces a safety rule's refusal as a clear error, without trying the other endpoints", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2"]);
    const err = await control.setRegions([], ["us-east-1", "us-west-2"]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TrafficChangeRejectedError);
    expect((err as Error).message).toMatch(
      /refused by a safety rule \(at least one region must stay on\): turning on \[\] and off \[us-east-1, us-west-2\]: ConflictException: safety rule at-least-one-on/,
    );
    expect(c.calls).toHaveLength(1);
    expect([...c.states.values()]).toEqual(["On", "On"]);
  });

  it("names every endpoint it tried when all five are down", async () => {
    const { cluster: c, control } = open(["us-east-1", "us-west-2"]);
    for (const ep of c.endpoints) c.down.add(ep.endpoint);
    const err = await control.setRegions([], ["us-east-1"]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TrafficControlUnavailableError);
    expect((err as TrafficControlUnavailableError).attempts).toHaveLength(5);
    for (const ep of c.endpoints)
      expect((err as Error).message).toContain(`${ep.region} ${ep.endpoint}: TimeoutError`);
    await expect(control.describe()).rejects.toBeInstanceOf(TrafficControlUnavailableError);
    expect(c.calls.filter((k) => k.command === "UpdateRoutingControlStates")).toHaveLength(5);
    expect(c.states.get(routingControlArn("us-east-1"))).toBe("On");
  });
});

describe("arcClusterClientConfig", () => {
  it("aims at the endpoint itself with one attempt, whatever endpoint override the environment sets", () => {
    const ep = { region: "eu-west-1", endpoint: "https://host-c.eu-west-1.example.com/v1" };
    const config = arcClusterClientConfig(ep, {});
    expect(config).toMatchObject({ region: "eu-west-1", endpoint: ep.endpoint, maxAttempts: 1 });
    const saved = process.env.REGIONCTL_AWS_ENDPOINT;
    process.env.REGIONCTL_AWS_ENDPOINT = "http://127.0.0.1:1";
    try {
      expect(arcClusterClientConfig(ep).endpoint).toBe(ep.endpoint);
    } finally {
      if (saved === undefined) delete process.env.REGIONCTL_AWS_ENDPOINT;
      else process.env.REGIONCTL_AWS_ENDPOINT = saved;
    }
  });
});

describe("arcOptionsFromOutputs", () => {
  it("reads the cluster's endpoints and routing controls from the stack output", () => {
    const out = arcOptionsFromOutputs({
      arc: {
        clusterArn: "arn:cluster",
        clusterEndpoints: [{ endpoint: "https://a", region: "us-west-2" }],
        routingControlArns: { "us-east-1": "arn:rc1" },
      },
    });
    expect(out).toEqual({
      clusterEndpoints: [{ endpoint: "https://a", region: "us-west-2" }],
      routingControlArns: { "us-east-1": "arn:rc1" },
    });
  });

  it("says the stack was deployed without ARC when the output is missing", () => {
    expect(() => arcOptionsFromOutputs({})).toThrow(/dns.control: arc/);
  });

  it("names every malformed field at once", () => {
    expect(() =>
      arcOptionsFromOutputs({ arc: { clusterEndpoints: [{ region: "x" }], routingControlArns: { a: 1 } } }),
    ).toThrow(/arc.clusterEndpoints\[0\]: needs endpoint and region; arc.routingControlArns.a: not an ARN/);
  });
});

describe("the ARC routing controls of a deployed stack", () => {
  const regions = ["us-east-1", "us-west-2"];

  it("reads the arc output at the first use only, and again after a failed read", async () => {
    cluster = arcClusterMock(regions);
    const c = cluster;
    let reads = 0;
    let backendUp = false;
    const control = arcRoutingControlsFromStack(
      regions,
      async () => {
        reads++;
        if (!backendUp) throw new Error("the Pulumi backend is unreachable");
        return {
          arc: {
            clusterEndpoints: c.endpoints,
            routingControlArns: Object.fromEntries(regions.map((r) => [r, routingControlArn(r)])),
          },
        };
      },
      { clientFor: (ep) => c.clientFor(ep), random: () => 0 },
    );
    expect(control.regions).toEqual(regions);
    expect(reads).toBe(0);
    await expect(control.setRegions(["us-west-2"], ["us-east-1"])).rejects.toThrow(/backend is unreachable/);
    backendUp = true;
    await control.setRegions(["us-west-2"], ["us-east-1"]);
    expect(c.states.get(routingControlArn("us-east-1"))).toBe("Off");
    // Opened once: a backend that fails later does not stop the next flip.
    backendUp = false;
    await control.setRegions(["us-east-1"], []);
    expect(Object.fromEntries(await control.describe())).toEqual({ "us-east-1": "on", "us-west-2": "on" });
    expect(reads).toBe(2);
  });

  it("names a stack deployed without dns.control: arc", async () => {
    const control = arcRoutingControlsFromStack(regions, async () => ({}));
    await expect(control.open()).rejects.toThrow(
      /stack output arc is missing: deploy the stack with dns.control: arc/,
    );
  });
});
