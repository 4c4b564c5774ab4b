import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { parseConfig } from "../../components/config";
import { sampleRawConfig } from "../support/sampleConfig";
import { cliEnv } from "./deployFixtures";

/** `regionctl rotate-password` through `main`, on in-memory ports and a virtual clock. */

const raw = sampleRawConfig({ regions: 3 });
const config = parseConfig(raw);
const [USE1, USW2] = ["us-east-1", "us-west-2"];

function env() {
  return cliEnv({ raw, state: initialState(config) });
}

const secretPassword = (text: string): string => (JSON.parse(text) as { password: string }).password;

describe("regionctl rotate-password", () => {
  it("sets a new password on the writer's cluster, waits until it is applied, then writes the secret", async () => {
    const e = env();
    const r = await e.run("rotate-password", "--config", e.file, "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: "rotate-password", outcome: "succeeded", exitCode: 0 });

    const writer = e.mem.clusters.clusters.get(USE1);
    const password = writer?.password ?? "";
    expect(password).not.toBe("initial-password");
    expect(password).toHaveLength(32);
    expect(password).not.toMatch(/[/@" ]/);
    expect(secretPassword(e.mem.secret.text)).toBe(password);
    // The secondaries share the writer's credentials through the global database: no call.
    expect(e.mem.log.of("clusters", "setMasterPassword").map((x) => x.detail.region)).toEqual([USE1]);

    // Writer first; the secret only once the writer has applied it.
    const set = e.mem.log.of("clusters", "setMasterPassword")[0];
    const put = e.mem.log.of("secret", "putPassword")[0];
    expect(put.at - set.at).toBeGreaterThanOrEqual(e.mem.clusters.applyMs);
    const lastLook = e.mem.log.of("clusters", "describe").at(-1);
    expect(lastLook?.at).toBeLessThanOrEqual(put.at);
  });

  it("never prints the password, nor keeps it in the operational state", async () => {
    const e = env();
    const r = await e.run("rotate-password", "--config", e.file);
    expect(r.code).toBe(0);
    const password = e.mem.clusters.clusters.get(USE1)?.password ?? "";
    expect([...r.stdout, ...r.stderr].join("\n")).not.toContain(password);
    const state = e.mem.state.current;
    expect(JSON.stringify(state)).not.toContain(password);
    // Recorded as an operation like the others, step by step.
    expect(state?.operation).toBeNull();
    const done = state?.history.at(-1);
    expect(done).toMatchObject({ kind: "rotation", phase: "succeeded" });
    expect(done?.steps.map((s) => [s.id, s.outcome])).toEqual([["rotation/password", "ok"]]);
  });

  it("rotates the writer the state and the database name after a failover", async () => {
    const e = env();
    e.mem.state.overwrite({ ...initialState(config), writer: USW2 });
    e.mem.database.writer = USW2;
    const r = await e.run("rotate-password", "--config", e.file);
    expect(r.code).toBe(0);
    expect(e.mem.log.of("clusters", "setMasterPassword").map((x) => x.detail.region)).toEqual([USW2]);
    expect(secretPassword(e.mem.secret.text)).toBe(e.mem.clusters.clusters.get(USW2)?.password);
  });

  it("--dry-run prints the plan and changes nothing", async () => {
    const e = env();
    const before = e.mem.secret.text;
    const r = await e.run("rotate-password", "--config", e.file, "--dry-run", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: "rotate-password", outcome: "dry-run", writer: USE1 });
    expect(r.stderr.join("\n")).toMatch(/rotation\/password/);
    expect(e.mem.log.of("clusters", "setMasterPassword")).toEqual([]);
    expect(e.mem.log.of("secret")).toEqual([]);
    expect(e.mem.secret.text).toBe(before);
    expect(e.mem.state.current?.history ?? []).toEqual([]);
  });

  it("refuses (exit 1, nothing changed) when the database names another writer than the state", async () => {
    const e = env();
    e.mem.database.writer = USW2;
    const r = await e.run("rotate-password", "--config", e.file, "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "refused", rule: "writer-known" });
    expect(e.mem.log.of("clusters", "setMasterPassword")).toEqual([]);
    expect(e.mem.log.of("secret")).toEqual([]);
  });

  it("refuses while another run holds the lease (exit 1)", async () => {
    const e = env();
    await e.mem.state.acquireLease("someone@ci:1", "deploy-1", 60_000);
    const r = await e.run("rotate-password", "--config", e.file, "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "error", error: "LeaseHeldError" });
    expect(e.mem.log.of("clusters", "setMasterPassword")).toEqual([]);
  });

  it("fails (exit 1) and leaves the secret alone when the writer never applies the password", async () => {
    const e = env();
    const before = e.mem.secret.text;
    e.mem.clusters.applyMs = 3 * 3600_000;
    const r = await e.run("rotate-password", "--config", e.file, "--json");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: "failed", failedStep: "rotation/password" });
    expect(String(r.json().reason)).toMatch(/did not apply the new password.*regionctl rotate-password/);
    expect(e.mem.secret.text).toBe(before);
  });

  it("reports unknown flags with the others, exit 2, nothing changed", async () => {
    const e = env();
    const r = await e.run("rotate-password", "--config", e.file, "--bogus");
    expect(r.code).toBe(2);
    expect(r.stderr.join("\n")).toMatch(/unknown option --bogus/);
    expect(e.mem.log.of("clusters")).toEqual([]);
  });
});

describe("regionctl status and the managed-RPO guard", () => {
  it("names the regions whose guard is relaxed, in the text and in the JSON", async () => {
    const e = env();
    e.mem.state.overwrite({ ...initialState(config), writer: USW2, rpoGuardRelaxed: [USW2] });
    const text = await e.run("status", "--config", e.file);
    expect(text.stdout.join("\n")).toMatch(/managed-RPO guard relaxed on us-west-2/);
    const json = await e.run("status", "--config", e.file, "--json");
    expect(json.json().rpoGuardRelaxed).toEqual([USW2]);
    e.mem.state.overwrite(initialState(config));
    expect((await e.run("status", "--config", e.file, "--json")).json().rpoGuardRelaxed).toEqual([]);
  });
});
