import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { CLOUDFREE, REPO } from "./localProgram";

/**
 * `--program` and `stateStore.directory` are checked before anything opens: every problem at
 * once, each naming its flag or key, exit 2, and nothing written.
 */

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })));
});

async function stackFile(change: (config: Record<string, unknown>) => void): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "regionctl-program-"));
  roots.push(dir);
  const doc = parse(await readFile(path.join(CLOUDFREE, "example-stack.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  change(doc.config);
  const file = path.join(dir, "Pulumi.local.yaml");
  await writeFile(file, stringify(doc));
  return file;
}

async function run(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const io = bufferIo();
  const code = await main(["node", "regionctl", ...args], io);
  return { code, stderr: io.stderr.join("\n") };
}

describe("--program and the state folder, checked up front", () => {
  it("names a folder that is no Pulumi program, with no ports module, and a non-file store", async () => {
    const file = await stackFile((c) => {
      c["regionctl:stateStore"] = { kind: "s3", bucket: "some-bucket" };
    });
    const { code, stderr } = await run(["status", "--program", path.join(REPO, "docs"), "--config", file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--program: .*docs has no Pulumi\.yaml/);
    expect(stderr).toMatch(/--program: .*docs has no regionctl\.ports\.ts/);
    expect(stderr).toMatch(/stateStore\.kind: --program runs on this machine/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ["a path under /proc", "/proc/self/regionctl-state", /stateStore\.directory: .* kernel filesystem/],
    [
      "a path under a file",
      "Pulumi.local.yaml/state",
      /stateStore\.directory: .*lies under .*Pulumi\.local\.yaml, a file/,
    ],
  ])(
    "refuses %s at once, naming stateStore.directory, writing nothing",
    async (_name, directory, message) => {
      const file = await stackFile((c) => {
        c["regionctl:stateStore"] = { kind: "file", directory };
      });
      const started = Date.now();
      const { code, stderr } = await run([
        "deploy",
        "--version",
        "2.0.0",
        "--program",
        CLOUDFREE,
        "--config",
        file,
      ]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await readdir(path.dirname(file))).toEqual(["Pulumi.local.yaml"]);
    },
  );
});
