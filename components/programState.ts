import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import { loadOperationalState, stateSource } from "../state/loadOperationalState";
import type { EnvironmentConfig } from "./config";
import { type OperationalState, parseState } from "./operationalState";
import { STATE_OVERRIDE_ENV } from "./stateOverride";

/** The stack output whose presence shows the stack has been deployed before. */
export const DEPLOYED_MARKER_OUTPUT = "writer";

/**
 * The operational state the program renders: the stored one, or, in a preview only, the state a
 * `regionctl deploy --dry-run` plans to reach (named in STATE_OVERRIDE_ENV and never stored), so
 * the dry run can show each region's diff without writing anything.
 *
 * With no stored document the topology derives the state from config, which is right only for a
 * stack that has never been deployed: for a deployed one it would render the configured writer
 * and undo a failover. So a deployed stack without a readable document is refused.
 */
export async function readProgramState(config: EnvironmentConfig): Promise<OperationalState | null> {
  // Read on every run, so the reference is part of every run's resources and never churns.
  const deployed = stackWasDeployed();
  deployed.catch(() => undefined); // awaited below only when no document is stored
  const override = process.env[STATE_OVERRIDE_ENV];
  if (override !== undefined && override !== "") {
    if (!pulumi.runtime.isDryRun()) {
      // An update must deploy what the store says, or the store and the cloud would disagree.
      throw new Error(`${STATE_OVERRIDE_ENV} is for previews only: an update deploys the stored state`);
    }
    return parseState(JSON.parse(await readFile(override, "utf8")), override);
  }
  const at = { stack: pulumi.getStack(), environment: config.environment };
  const state = await loadOperationalState(config.stateStore, at);
  if (state === null && (await deployed)) {
    throw new Error(
      `stack ${at.stack} is deployed but has no operational state document at ` +
        `${stateSource(config.stateStore, at)}. Rendering the configured writer could undo a ` +
        "failover, so nothing was changed. Run from where the controller keeps the document, or " +
        "set regionctl:stateStore to the team's shared store (kind: s3).",
    );
  }
  return state;
}

/**
 * Whether the stack's last update left outputs: read through a reference to the stack itself,
 * which the engine answers from the stack's current checkpoint (empty for a new stack).
 */
async function stackWasDeployed(): Promise<boolean> {
  const self = new pulumi.StackReference(
    `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  );
  const marker = await self.getOutputDetails(DEPLOYED_MARKER_OUTPUT);
  return marker.value !== undefined || marker.secretValue !== undefined;
}
