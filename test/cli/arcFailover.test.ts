import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { sampleConfig } from "../support/sampleConfig";
import { cliEnv } from "./deployFixtures";

describe("regionctl with dns.control: arc", () => {
  it("failover --dry-run shows the routing-control flip beside the promotion", async () => {
    const env = cliEnv({ regions: 3, dnsControl: "arc" });
    env.mem.health.policy = (region) => region !== "us-east-1";
    const r = await env.run("failover", "--config", env.file, "--dry-run");
    expect(r.code).toBe(0);
    const text = [...r.stdout, ...r.stderr].join("\n");
    expect(text).toMatch(/failover\/traffic.*routing controls on eu-west-1, us-west-2, off us-east-1/);
    expect(env.mem.traffic.onRegions()).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
  });

  it("failover flips the controls; a stack update that fails afterwards is pending in status, text and --json", async () => {
    const env = cliEnv({ regions: 3, dnsControl: "arc" });
    env.mem.health.policy = (region) => region !== "us-east-1";
    env.mem.stack.failUp = () => new Error("backend unreachable");
    const r = await env.run("failover", "--config", env.file, "--yes", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: "failover", outcome: "succeeded" });
    expect(env.mem.traffic.isOn("us-east-1")).toBe(false);

    const status = await env.run("status", "--config", env.file);
    expect(status.stdout.join("\n")).toMatch(
      /stack update pending since \S+ \(deferred by failover-\S+ failover\/stack\): 1 attempt\(s\) failed, last: backend unreachable/,
    );
    const json = await env.run("status", "--config", env.file, "--json");
    expect(json.json()).toMatchObject({
      deferredStackUpdate: { stepId: "failover/stack", attempts: 1, lastError: "backend unreachable" },
    });
  });

  it("status shows nothing pending when no update is deferred", async () => {
    const config = sampleConfig({ regions: 2 });
    const env = cliEnv({ regions: 2, state: initialState(config) });
    const json = await env.run("status", "--config", env.file, "--json");
    expect(json.json()).toMatchObject({ deferredStackUpdate: null });
    const text = await env.run("status", "--config", env.file);
    expect(text.stdout.join("\n")).not.toMatch(/pending/);
  });
});
