import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { rawConfigFromStackConfig, validateConfig } from "../components/config";

/**
 * Refuses a stack file whose operational state would live on one machine. A CI runner is thrown
 * away after each job, and with it a file store's state document and lease: the next job would not
 * know which region writes or that a release is half done. Exit 2 with the reason, else exit 0.
 *
 *   node bin/run-ts.js scripts/require-shared-state.ts Pulumi.prod.yaml
 */
export function sharedStateProblems(stackFileText: string, file: string): string[] {
  const doc = (parse(stackFileText) ?? {}) as { config?: Record<string, unknown> };
  const result = validateConfig(rawConfigFromStackConfig(doc.config ?? {}));
  if (!result.ok) return result.issues.map((i) => `${file}: ${i.path}: ${i.message}`);
  if (result.config.stateStore.kind === "file") {
    return [
      `${file}: regionctl:stateStore is the local file store; CI needs a shared store (kind: s3 or dynamodb) so the state and the lease outlive the runner`,
    ];
  }
  return [];
}

// Run as a script (bin/run-ts.js puts the entry point in argv[1]), not when a test imports it.
if (process.argv[1] === __filename) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: require-shared-state.ts Pulumi.<stack>.yaml...");
    process.exit(2);
  }
  const problems = files.flatMap((f) => sharedStateProblems(readFileSync(f, "utf8"), f));
  for (const p of problems) console.error(p);
  process.exit(problems.length === 0 ? 0 : 2);
}
