import type { Step } from "../plans/steps";
import type { StepContext, StepOutcome } from "./stepContext";
import { runAnalysis } from "./steps/analysis";
import { runAwaitWriter } from "./steps/awaitWriter";
import { runDbFailover } from "./steps/dbFailover";
import { runDbSwitchover } from "./steps/dbSwitchover";
import { runFenceCluster } from "./steps/fenceCluster";
import { runHealthGateStep } from "./steps/healthGate";
import { runParallel } from "./steps/parallel";
import { runPatchState } from "./steps/patchState";
import { runPause } from "./steps/pause";
import { runRestore } from "./steps/restore";
import { runRotatePassword } from "./steps/rotatePassword";
import { runRpoGuard } from "./steps/rpoGuard";
import { runSafetyGateStep } from "./steps/safetyGate";
import { runStackUpdate } from "./steps/stackUpdate";
import { runSyncRun } from "./steps/syncRun";
import { runTrafficControl } from "./steps/trafficControl";
import { runWait } from "./steps/wait";

/** Runs one step with the handler for its kind. */
export function runStep(step: Step, ctx: StepContext): Promise<StepOutcome> {
  switch (step.kind) {
    case "patchState":
      return runPatchState(step, ctx);
    case "stackUpdate":
      return runStackUpdate(step, ctx);
    case "healthGate":
      return runHealthGateStep(step, ctx);
    case "safetyGate":
      return runSafetyGateStep(step, ctx);
    case "analysis":
      return runAnalysis(step, ctx);
    case "wait":
      return runWait(step, ctx);
    case "pause":
      return runPause(step, ctx);
    case "dbFailover":
      return runDbFailover(step, ctx);
    case "dbSwitchover":
      return runDbSwitchover(step, ctx);
    case "awaitWriter":
      return runAwaitWriter(step, ctx);
    case "syncRun":
      return runSyncRun(step, ctx);
    case "trafficControl":
      return runTrafficControl(step, ctx);
    case "rotatePassword":
      return runRotatePassword(step, ctx);
    case "rpoGuard":
      return runRpoGuard(step, ctx);
    case "fenceCluster":
      return runFenceCluster(step, ctx);
    case "parallel":
      return runParallel(step, ctx);
    case "restore":
      return runRestore(step, ctx);
  }
}

/** Steps that change the environment or the state; a failure after one of them needs compensation. */
export const MUTATING_KINDS: ReadonlySet<Step["kind"]> = new Set([
  "patchState",
  "stackUpdate",
  "dbFailover",
  "dbSwitchover",
  "syncRun",
  "trafficControl",
  "rotatePassword",
  "rpoGuard",
  "fenceCluster",
  "parallel",
  "restore",
]);
