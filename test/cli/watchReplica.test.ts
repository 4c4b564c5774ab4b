import { existsSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { FileStateStore } from "../../automation/adapters/state/fileStateStore";
import { sampleRawConfig } from "../support/sampleConfig";
import { cliEnv } from "./deployFixtures";

/** `regionctl watch` as one of several replicas: flags, leadership events, the board beside the state. */

const raw = sampleRawConfig({ regions: 3 });
const saved = { region: process.env.AWS_REGION, replica: process.env.REGIONCTL_REPLICA };
afterEach(() => {
  for (const [key, value] of [
    ["AWS_REGION", saved.region],
    ["REGIONCTL_REPLICA", saved.replica],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("regionctl watch --replica", () => {
  it("needs its region, one of the config's, and names the flag (exit 2, nothing changed)", async () => {
    delete process.env.AWS_REGION;
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const missing = await e.run("watch", "--config", e.file, "--replica", "--ticks", "1");
    expect(missing.code).toBe(2);
    expect(missing.stderr.join("\n")).toMatch(/--region: a replica needs its own region/);
    const unknown = await e.run(
      "watch",
      "--config",
      e.file,
      "--replica",
      "--region",
      "sa-east-1",
      "--ticks",
      "1",
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.join("\n")).toMatch(/--region: sa-east-1 is not a region of/);
    const lone = await e.run("watch", "--config", e.file, "--region", "us-east-1", "--ticks", "1");
    expect(lone.code).toBe(2);
    expect(lone.stderr.join("\n")).toMatch(/only a replica takes a region/);
    expect(e.mem.log.entries.filter((x) => x.port === "state" && x.action !== "read")).toEqual([]);
  });

  it("takes the lead, says so in JSON, publishes its verdicts and frees the lease when it ends", async () => {
    process.env.AWS_REGION = "us-west-2";
    process.env.REGIONCTL_REPLICA = "1";
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const r = await e.run("watch", "--config", e.file, "--ticks", "2", "--json");
    expect(r.code).toBe(0);
    const lines = r.stdout.map((l) => JSON.parse(l) as { type: string; leading?: boolean; region?: string });
    expect(lines.filter((l) => l.type === "leader")[0]).toMatchObject({ leading: true, region: "us-west-2" });
    expect(lines.filter((l) => l.type === "tick")).toHaveLength(2);
    expect(r.stderr.join("\n")).toMatch(/as the replica in us-west-2/);
    const dir = path.join(e.dir, ".regionctl");
    expect(existsSync(path.join(dir, "dev.vantage.us-west-2.json"))).toBe(true);
    expect(existsSync(path.join(dir, "dev.leader.lease.json"))).toBe(false);
  });

  it("stands by while another replica holds the lead: it proposes and changes nothing", async () => {
    process.env.AWS_REGION = "us-west-2";
    process.env.REGIONCTL_REPLICA = "1";
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const leaders = new FileStateStore({ stack: "dev.leader", directory: path.join(e.dir, ".regionctl") });
    await leaders.acquireLease("watch@us-east-1/other", "lead", 3_600_000);
    e.mem.health.policy = (region) => region !== "eu-west-1";
    const r = await e.run("watch", "--config", e.file, "--ticks", "5", "--json", "--keep-going");
    expect(r.code).toBe(0);
    const lines = r.stdout.map(
      (l) => JSON.parse(l) as { type: string; decisions?: { kind: string; action: string }[] },
    );
    expect(lines.filter((l) => l.type === "leader")).toEqual([]);
    const actions = lines.flatMap((l) => l.decisions ?? []).map((d) => d.action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a === "proposed")).toBe(true);
    expect(e.mem.log.entries.filter((x) => x.port === "state" && x.action === "write")).toEqual([]);
    expect((await leaders.readLease())?.holder).toBe("watch@us-east-1/other");
  });
});
