import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach } from "vitest";
import { stringify } from "yaml";
import { main } from "../../automation/cli";
import { bufferIo } from "../../automation/cliIo";
import { setPortsFactory } from "../../automation/context";
import type { OperationalState } from "../../components/operationalState";
import { type MemoryPorts, memoryPorts } from "../support/memoryPorts";
import { type SampleConfigOptions, sampleConfig, sampleRawConfig } from "../support/sampleConfig";

/** A stack file on disk and memory ports behind the CLI, for `main(argv, bufferIo())` tests. */
export interface CliEnv {
  readonly dir: string;
  readonly file: string;
  readonly mem: MemoryPorts;
  run(
    ...argv: string[]
  ): Promise<{ code: number; stdout: string[]; stderr: string[]; json: () => Record<string, unknown> }>;
}

const restores: (() => void)[] = [];
afterEach(() => {
  while (restores.length > 0) restores.pop()?.();
});

export function stackFileText(raw: Record<string, unknown>): string {
  const config: Record<string, unknown> = { "aws:region": "us-east-1" };
  for (const [key, value] of Object.entries(raw)) config[`regionctl:${key}`] = value;
  return stringify({ config });
}

export function cliEnv(
  options: SampleConfigOptions & { state?: OperationalState | null; raw?: Record<string, unknown> } = {},
): CliEnv {
  const dir = mkdtempSync(path.join(tmpdir(), "regionctl-cli-"));
  const file = path.join(dir, "Pulumi.dev.yaml");
  writeFileSync(file, stackFileText(options.raw ?? sampleRawConfig(options)));
  const mem = memoryPorts(options.raw === undefined ? sampleConfig(options) : sampleConfig(), {
    state: options.state ?? null,
  });
  restores.push(setPortsFactory(async () => mem.ports));
  return {
    dir,
    file,
    mem,
    run: async (...argv) => {
      const io = bufferIo();
      const code = await main(["node", "regionctl", ...argv], io);
      return {
        code,
        stdout: io.stdout,
        stderr: io.stderr,
        json: () => JSON.parse(io.stdout.join("\n")) as Record<string, unknown>,
      };
    },
  };
}
