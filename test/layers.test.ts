import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The layer rules in eslint.config.mjs, broken on purpose: each case lints an import that crosses a
 * layer, placed in an existing file of that layer, and expects the rule to name it.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer rules", () => {
  it.each([
    [
      "a component importing the controller",
      'export { STATE_OVERRIDE_ENV } from "../automation/ports";',
      "components/config.ts",
      "components never import",
    ],
    [
      "the watcher importing an adapter",
      'export { HttpProbe } from "../adapters/http/httpProbe";',
      "automation/watch/report.ts",
      "composition root",
    ],
    [
      "a command importing an adapter",
      'export { routingView } from "../adapters/aws/route53Records";',
      "automation/commands/check.ts",
      "composition root",
    ],
    [
      "a planner importing the executor",
      'export { runPlan } from "../executor";',
      "automation/plans/sync.ts",
      "pure",
    ],
    [
      "a gate importing the watcher",
      'export { createWatcher } from "../watch/watcher";',
      "automation/gates/healthGate.ts",
      "pure",
    ],
  ])(
    "refuses %s",
    async (_name, code, filePath, message) => {
      const messages = await restricted(code, filePath);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(message);
    },
    60_000,
  );

  it.each([
    [
      "the composition root importing an adapter",
      'export { HttpProbe } from "./adapters/http/httpProbe";',
      "automation/context.ts",
    ],
    [
      "a planner importing components and ports",
      'export { validateConfig } from "../../components/config";\nexport type { Ports } from "../ports";',
      "automation/plans/sync.ts",
    ],
  ])(
    "allows %s",
    async (_name, code, filePath) => {
      expect(await restricted(code, filePath)).toEqual([]);
    },
    60_000,
  );
});
