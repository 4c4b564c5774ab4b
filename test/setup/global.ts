import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import type {} from "vitest";

/**
 * Provides the real tools the tests run against: the pinned Pulumi CLI (built from Go modules when
 * missing) and a moto server on 127.0.0.1. Tests never skip for a missing tool; setup fails instead.
 */

declare module "vitest" {
  export interface ProvidedContext {
    pulumiBinDir: string;
    motoEndpoint: string;
    /** Directory holding the test-only stand-in provider plugin (scripts/provide-standin.sh). */
    standinDir: string;
  }
}

const root = path.resolve(__dirname, "../..");
let moto: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pulumiBinDir = process.env.REGIONCTL_PULUMI_BIN_DIR ?? providePulumi();
  const standinDir = process.env.REGIONCTL_STANDIN_DIR ?? provideStandin();
  const motoEndpoint = await startMoto();
  project.provide("pulumiBinDir", pulumiBinDir);
  project.provide("standinDir", standinDir);
  project.provide("motoEndpoint", motoEndpoint);
  return async () => {
    moto?.kill("SIGTERM");
  };
}

function providePulumi(): string {
  const out = execFileSync("bash", [path.join(root, "scripts/provide-pulumi.sh")], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = out.trim().split("\n");
  return lines[lines.length - 1];
}

/** The stand-in for the aws, kubernetes and random plugins, so the real program runs on the real engine. */
function provideStandin(): string {
  const out = execFileSync("bash", [path.join(root, "scripts/provide-standin.sh")], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = out.trim().split("\n");
  return lines[lines.length - 1];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function startMoto(): Promise<string> {
  const port = await freePort();
  const bin = process.env.REGIONCTL_MOTO_SERVER ?? "moto_server";
  moto = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  moto.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) {
      throw new Error(`moto server exited (${moto.exitCode}); run 'pip install "moto[server]"'.\n${stderr}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return endpoint;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto server did not start on ${endpoint} within 30 s.\n${stderr}`);
}
