import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig } from "./config";
import { loadOperationalState } from "./loadOperationalState";
import { type OperationalState, parseState } from "./operationalState";
import { STATE_OVERRIDE_ENV } from "./stateOverride";

/**
 * The operational state the program renders: the stored one, or, in a preview only, the state a
 * `regionctl deploy --dry-run` plans to reach (named in STATE_OVERRIDE_ENV and never stored), so
 * the dry run can show each region's diff without writing anything.
 */
export async function readProgramState(config: EnvironmentConfig): Promise<OperationalState | null> {
  const override = process.env[STATE_OVERRIDE_ENV];
  if (override !== undefined && override !== "") {
    if (!pulumi.runtime.isDryRun()) {
      // An update must deploy what the store says, or the store and the cloud would disagree.
      throw new Error(`${STATE_OVERRIDE_ENV} is for previews only: an update deploys the stored state`);
    }
    return parseState(JSON.parse(await readFile(override, "utf8")), override);
  }
  return loadOperationalState(config.stateStore, {
    stack: pulumi.getStack(),
    environment: config.environment,
  });
}
