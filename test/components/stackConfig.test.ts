import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { rawConfigFromEngineConfig } from "../../components/stackConfig";
import { engineConfigFor } from "./mockRuntime";
import { rawConfig } from "./helpers/environmentFixture";

describe("rawConfigFromEngineConfig (pure)", () => {
  it("decodes structured values and keeps scalars as strings", () => {
    const raw = rawConfigFromEngineConfig({
      "aws:region": "us-east-1",
      "aws:profile": "ignored",
      "regionctl:environment": "dev",
      "regionctl:writer": "us-east-1",
      "regionctl:dns": '{"ttl":30}',
      "regionctl:regions": '[{"region":"us-east-1"}]',
    });
    expect(raw).toEqual({
      awsRegion: "us-east-1",
      environment: "dev",
      writer: "us-east-1",
      dns: { ttl: 30 },
      regions: [{ region: "us-east-1" }],
    });
  });

  it("leaves malformed JSON as a string, so validation reports the key", () => {
    const raw = rawConfigFromEngineConfig({ "regionctl:dns": "{not json" });
    expect(raw.dns).toBe("{not json");
    const result = validateConfig({ ...rawConfig(), dns: raw.dns });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toContain("regionctl:dns");
  });

  it("round-trips the engine map the mocks build", () => {
    const config = rawConfig();
    expect(rawConfigFromEngineConfig(engineConfigFor(config))).toEqual(config);
  });

  it("keeps unknown regionctl keys so validation reports them", () => {
    const raw = rawConfigFromEngineConfig({ ...engineConfigFor(rawConfig()), "regionctl:regoins": "[]" });
    const result = validateConfig(raw);
    expect(!result.ok && result.issues.some((i) => i.message.includes("regoins"))).toBe(true);
  });
});
