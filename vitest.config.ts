import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The real-engine files (`test/engine/`, `test/cli/`) take most of the run and spend most of it
 * waiting on the Pulumi CLI and the programs it starts, so they go first: left to the end of a
 * fresh clone's run (no timing cache; vitest then orders by file size), the longest of them would
 * run alone on the tail. Within each group vitest's own order holds (slowest first once it has
 * timings).
 */
class EngineFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const engine = (f: TestSpecification): boolean => /[\\/]test[\\/](engine|cli)[\\/]/.test(f.moduleId);
    return [...sorted.filter(engine), ...sorted.filter((f) => !engine(f))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: "forks",
    // vitest's default is one worker fewer than the CPUs (a single worker on two), but the engine
    // files leave a CPU mostly idle while the engine's own processes start; one per CPU fills it.
    maxWorkers: availableParallelism(),
    minWorkers: 1,
    sequence: { sequencer: EngineFilesFirst },
  },
});
