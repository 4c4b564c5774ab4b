import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";

/**
 * One 503 from a healthy writer must never start an unplanned failover. Acting on a single failed
 * observation is refused before anything runs: in auto mode the threshold must be 2 or more.
 */
describe("a single noisy probe", () => {
  it("refuses a drill whose auto failover would act on one failed observation, naming the field", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "regionctl-noisy-")), "noisy.yaml");
    writeFileSync(
      file,
      `name: noisy-probe
regions: [us-east-1, us-west-2, eu-west-1]
healthCheck: { intervalSeconds: 10, failureThreshold: 1 }
failover: { mode: auto }
versions:
  "1.0.0": { errorRate: 0.001 }
initialVersion: "1.0.0"
events: []
until: 600
`,
    );
    const io = bufferIo();
    expect(await main(["node", "regionctl", "drill", "--scenario", file], io)).toBe(2);
    const text = io.stderr.join("\n");
    expect(text).toContain("healthCheck.failureThreshold: 1 is refused with mode auto");
    expect(text).not.toMatch(/\n\s+at /);
    expect(io.stdout).toEqual([]);
  });
});
