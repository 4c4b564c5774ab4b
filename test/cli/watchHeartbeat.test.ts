import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { sampleRawConfig } from "../support/sampleConfig";
import { cliEnv } from "./deployFixtures";

/** `regionctl watch --heartbeat-file`: what the watcher replicas' liveness probe reads. */

const raw = sampleRawConfig({ regions: 3 });

describe("regionctl watch --heartbeat-file", () => {
  it("rewrites the file with the time of every observation", async () => {
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const file = path.join(mkdtempSync(path.join(tmpdir(), "regionctl-heartbeat-")), "beat");
    const r = await e.run("watch", "--config", e.file, "--ticks", "2", "--json", "--heartbeat-file", file);
    expect(r.code).toBe(0);
    const ticks = r.stdout
      .map((l) => JSON.parse(l) as { type: string; at: string })
      .filter((l) => l.type === "tick");
    expect(ticks).toHaveLength(2);
    // Written after the observation, at the clock's time then: never before the last tick's.
    const beat = Date.parse(readFileSync(file, "utf8").trim());
    expect(beat).toBeGreaterThanOrEqual(Date.parse(ticks[1].at));
  });

  it("reports a file it cannot write and keeps watching", async () => {
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const file = path.join(tmpdir(), "regionctl-no-such-dir", "nested", "beat");
    const r = await e.run("watch", "--config", e.file, "--ticks", "2", "--heartbeat-file", file);
    expect(r.code).toBe(0);
    expect(r.stderr.filter((l) => l.includes("heartbeat file"))).toHaveLength(2);
  });
});
