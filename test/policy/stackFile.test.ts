import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  engineConfig,
  readStackFile,
  SECRET_PLACEHOLDER,
  StackFileError,
} from "../../policy/offline/stackFile";

describe("stack files for offline evaluation", () => {
  it("turns the config map into engine config: strings, JSON, encrypted values as secret placeholders", () => {
    const { config, secretKeys } = engineConfig({
      "aws:region": "us-east-1",
      "regionctl:environment": "dev",
      "regionctl:dns": { ttl: 60 },
      "regionctl:regions": [
        { region: "us-east-1", kubeconfig: { secure: "v1:abc" } },
        { region: "us-west-2" },
      ],
      "regionctl:token": { secure: "v1:def" },
    });
    expect(config).toEqual({
      "aws:region": "us-east-1",
      "regionctl:environment": "dev",
      "regionctl:dns": '{"ttl":60}',
      "regionctl:regions": JSON.stringify([
        { region: "us-east-1", kubeconfig: SECRET_PLACEHOLDER },
        { region: "us-west-2" },
      ]),
      "regionctl:token": SECRET_PLACEHOLDER,
    });
    expect(secretKeys).toEqual(["regionctl:regions", "regionctl:token"]);
  });

  it("names the stack after Pulumi.<stack>.yaml and rejects files without config", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "regionctl-stackfile-"));
    const good = path.join(dir, "Pulumi.staging.yaml");
    writeFileSync(good, "config:\n  regionctl:environment: staging\n");
    expect(readStackFile(good)).toMatchObject({
      stack: "staging",
      config: { "regionctl:environment": "staging" },
    });
    const bad = path.join(dir, "other.yaml");
    writeFileSync(bad, "encryptionsalt: x\n");
    expect(() => readStackFile(bad)).toThrow(StackFileError);
    expect(() => readStackFile(bad)).toThrow("has no config: map");
  });
});
