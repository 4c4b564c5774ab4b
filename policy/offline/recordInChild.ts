import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ResourceGraph } from "./graph";
import type { RecordRequest } from "./recordProgram";

export class ProgramRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramRunError";
  }
}

const DEFAULT_TIMEOUT_MS = 180_000;

/** Runs recordProgram in a fresh Node.js process and returns the graph it recorded. */
export async function recordInChild(
  request: RecordRequest,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ResourceGraph> {
  const dir = mkdtempSync(path.join(tmpdir(), "regionctl-record-"));
  try {
    const requestFile = path.join(dir, "request.json");
    const resultFile = path.join(dir, "result.json");
    writeFileSync(requestFile, JSON.stringify(request));
    const tsx = createRequire(__filename).resolve("tsx/cjs");
    // recordProgramMain.ts in a clone, .js in the compiled package.
    const entry = path.join(__dirname, `recordProgramMain${path.extname(__filename)}`);
    const { code, output } = await run(
      process.execPath,
      ["--require", tsx, entry, requestFile, resultFile],
      request.programDir,
      timeoutMs,
    );
    let result: { ok: boolean; graph?: ResourceGraph; error?: string } | undefined;
    try {
      result = JSON.parse(readFileSync(resultFile, "utf8")) as typeof result;
    } catch {
      result = undefined;
    }
    if (result?.ok === true && result.graph !== undefined) return result.graph;
    const reason =
      result?.error ?? (code === null ? `timed out after ${timeoutMs / 1000} s` : `exited with ${code}`);
    throw new ProgramRunError(
      `the program failed under mocks: ${reason}${output === "" ? "" : `\n${output}`}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (d: Buffer): void => {
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
}
