import { homedir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fileBackendDirectory } from "../../automation/adapters/pulumi/emptySidecars";

/** Which backends the sidecar repair looks at (the repair itself runs on the real engine). */

describe("fileBackendDirectory", () => {
  it.each<[string | undefined, string | null]>([
    ["file:///var/lib/state", "/var/lib/state"],
    ["file:///var/lib/state?metadata=skip", "/var/lib/state"],
    ["file://~", homedir()],
    ["file://~/.pulumi-local", path.join(homedir(), ".pulumi-local")],
    ["file:///with%20space", "/with space"],
    ["s3://bucket/prefix", null],
    ["https://api.pulumi.com", null],
    [undefined, null],
  ])("%s -> %s", (url, dir) => {
    expect(fileBackendDirectory(url)).toBe(dir);
  });
});
