import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseConfig, rawConfigFromStackConfig, validateConfig } from "../components/config";
import { sharedStateProblems } from "../scripts/require-shared-state";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("the example Pulumi.prod.yaml", () => {
  it("is valid against the config schema", () => {
    const file = parseYaml(read("Pulumi.prod.yaml")) as { config: Record<string, unknown> };
    const result = validateConfig(rawConfigFromStackConfig(file.config));
    expect(result.ok ? [] : result.issues).toEqual([]);
    const config = parseConfig(rawConfigFromStackConfig(file.config));
    expect(config.environment).toBe("prod");
    expect(config.stateStore.kind).not.toBe("file");
  });

  it("runs a watcher in every region, so losing any one leaves a majority of them", () => {
    const file = parseYaml(read("Pulumi.prod.yaml")) as { config: Record<string, unknown> };
    const config = parseConfig(rawConfigFromStackConfig(file.config));
    expect([...config.controlPlane.watchers].sort()).toEqual(config.regions.map((r) => r.region).sort());
    expect(config.controlPlane.watchers.length).toBeGreaterThanOrEqual(3);
    expect(config.controlPlane.image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it("names the kube contexts the deploy workflow creates", () => {
    const file = parseYaml(read("Pulumi.prod.yaml")) as { config: Record<string, unknown> };
    const config = parseConfig(rawConfigFromStackConfig(file.config));
    const workflow = read(".github/workflows/deploy.yml");
    for (const r of config.regions) {
      expect(r.kubeContext).toBe(`prod-${r.region}`);
      expect(workflow).toContain(r.region);
    }
  });
});

describe("require-shared-state", () => {
  it("accepts the prod stack and refuses the dev stack's file store", () => {
    expect(sharedStateProblems(read("Pulumi.prod.yaml"), "Pulumi.prod.yaml")).toEqual([]);
    expect(sharedStateProblems(read("Pulumi.dev.yaml"), "Pulumi.dev.yaml")).toEqual([
      expect.stringMatching(/^Pulumi\.dev\.yaml: regionctl:stateStore is the local file store/),
    ]);
  });

  it("reports an invalid stack file by key instead of passing it", () => {
    const bad = read("Pulumi.prod.yaml").replace("ttl: 60", "ttl: 300");
    expect(sharedStateProblems(bad, "x.yaml")).toEqual([
      expect.stringMatching(/^x\.yaml: regionctl:dns\.ttl: /),
    ]);
  });

  it("exits 2 for the file store and 0 for a shared one", () => {
    const run = (file: string): number => {
      try {
        execFileSync(process.execPath, ["bin/run-ts.js", "scripts/require-shared-state.ts", file], {
          cwd: ROOT,
          stdio: "pipe",
        });
        return 0;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect(run("Pulumi.prod.yaml")).toBe(0);
    expect(run("Pulumi.dev.yaml")).toBe(2);
  });
});
