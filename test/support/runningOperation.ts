import type { OperationalState } from "../../components/operationalState";

/** `state` with a deploy in flight that runs `plan`, as the executor records one when it starts. */
export function withRunningDeploy(state: OperationalState, plan: unknown, id = "deploy-1"): OperationalState {
  return {
    ...state,
    operation: {
      id,
      kind: "deploy",
      plan,
      before: state.regions,
      writerBefore: state.writer,
      phase: "running",
      cursor: 0,
      steps: [],
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: null,
      reason: null,
    },
  };
}
