import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { parse } from "yaml";
import type { ResourceGraph } from "./graph";
import { GraphRecorder } from "./recorder";

export interface RecordRequest {
  /** The directory of Pulumi.yaml. */
  readonly programDir: string;
  readonly stack: string;
  /** Engine config: every value a string. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
}

/**
 * Runs the Pulumi program in `programDir` under recording mocks, as `pulumi preview` would run it
 * for this config, and returns every resource it registered. The Pulumi runtime is process-global:
 * call this once per process (recordInChild does).
 */
export async function recordProgram(request: RecordRequest): Promise<ResourceGraph> {
  const project = readProject(request.programDir);
  const recorder = new GraphRecorder(project.name, request.stack, request.config["aws:region"]);
  await recorder.install();
  pulumi.runtime.setAllConfig({ ...request.config }, [...request.secretKeys]);

  const failures: unknown[] = [];
  const onRejection = (err: unknown): void => {
    failures.push(err);
  };
  process.on("unhandledRejection", onRejection);
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      const exports = createRequire(project.main)(project.main) as Record<string, unknown>;
      // The stack's outputs are the module's exports, as `pulumi up` makes them.
      return Object.fromEntries(
        Object.entries(exports).filter(([k]) => k !== "default" && k !== "__esModule"),
      );
    });
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  recorder.throwIfErrors();
  if (failures.length > 0) {
    throw new Error(failures.map((f) => (f instanceof Error ? f.message : String(f))).join("\n"));
  }
  return { project: project.name, stack: request.stack, resources: recorder.graph() };
}

function readProject(dir: string): { name: string; main: string } {
  const doc = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    name?: unknown;
    main?: unknown;
  };
  const name = typeof doc.name === "string" ? doc.name : path.basename(dir);
  const main = path.resolve(dir, typeof doc.main === "string" ? doc.main : "index.ts");
  return { name, main };
}
