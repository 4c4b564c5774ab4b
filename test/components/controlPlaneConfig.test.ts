import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { type RawConfig, rawConfig, withPatch } from "./helpers/environmentFixture";

/** `regionctl:controlPlane`: where the program runs `regionctl watch` replicas. */

const sharedStore = {
  kind: "dynamodb",
  table: "regionctl-state",
  regions: ["us-east-1", "us-east-2", "us-west-2"],
};

function withWatchers(plane: RawConfig, base: RawConfig = rawConfig()): RawConfig {
  return withPatch((c) => {
    c.stateStore = sharedStore;
    c.controlPlane = plane;
  }, base);
}

function issuesOf(raw: RawConfig): { path: string; message: string }[] {
  const result = validateConfig(raw);
  return result.ok ? [] : [...result.issues];
}

describe("regionctl:controlPlane", () => {
  it("defaults to no watchers, and then asks for nothing else", () => {
    const result = validateConfig(rawConfig());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.controlPlane).toEqual({
      watchers: [],
      namespace: "regionctl",
      cpuRequest: "100m",
      memoryRequest: "512Mi",
      cpuLimit: "1",
      memoryLimit: "2Gi",
    });
  });

  it("accepts watchers in the environment's regions with an image and a shared store", () => {
    const result = validateConfig(
      withWatchers({
        watchers: ["us-east-1", "us-west-2", "eu-west-1"],
        image: "ghcr.io/acme/regionctl:1.4.0",
      }),
    );
    expect(result.ok).toBe(true);
  });

  it("names every bad field at once", () => {
    const issues = issuesOf(
      withWatchers(
        {
          watchers: ["us-east-1", "ap-south-1", "us-east-1", "mars-1"],
          namespace: "dev",
          serviceAccountRoleArn: "watcher-role",
          bogus: true,
        },
        withPatch((c) => (c.stateStore = undefined)),
      ),
    ).map((i) => i.path);
    expect(issues).toEqual(
      expect.arrayContaining([
        "regionctl:controlPlane.watchers[1]", // not one of the environment's regions
        "regionctl:controlPlane.watchers[2]", // duplicate
        "regionctl:controlPlane.watchers[3]", // unknown region
        "regionctl:controlPlane.image", // required with watchers
        "regionctl:controlPlane.namespace", // the app's
        "regionctl:controlPlane.serviceAccountRoleArn",
        "regionctl:controlPlane",
      ]),
    );
  });

  it.each([
    [
      { watchers: ["ap-south-1"] },
      "regionctl:controlPlane.watchers[0]",
      /not one of the environment's regions/,
    ],
    [
      { watchers: ["us-east-1", "us-east-1"] },
      "regionctl:controlPlane.watchers[1]",
      /duplicate region us-east-1/,
    ],
    [{ watchers: ["us-east-1"] }, "regionctl:controlPlane.image", /required with watchers/],
    [
      { watchers: ["us-east-1"], image: "i", namespace: "dev" },
      "regionctl:controlPlane.namespace",
      /the app's/,
    ],
  ])("refuses %j at %s", (plane, path, message) => {
    const issues = issuesOf(withWatchers(plane));
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it("refuses watchers on a file store, which lives in one pod", () => {
    const raw = withPatch((c) => (c.controlPlane = { watchers: ["us-east-1", "us-west-2"], image: "i" }));
    expect(issuesOf(raw)).toEqual([
      {
        path: "regionctl:controlPlane.watchers",
        message: expect.stringMatching(/need a shared state store/),
      },
    ]);
    const s3 = withPatch((c) => (c.stateStore = { kind: "s3", bucket: "team-state" }), raw);
    expect(issuesOf(s3)).toEqual([]);
    // An absolute directory may be a volume the pods share; it is not judged.
    const mounted = withPatch((c) => (c.stateStore = { kind: "file", directory: "/mnt/regionctl" }), raw);
    expect(issuesOf(mounted)).toEqual([]);
  });
});
