import type { EnvironmentConfig } from "../../components/config";
import type { OperationRecord, OperationalState } from "../../components/operationalState";
import { syncSteps } from "./failover";
import { RULES, operationInFlight, refuse } from "./failoverSafety";
import { syncableRegions } from "./sync";
import type { Plan, Refusal } from "./steps";
import { renderStatePlan } from "./renderState";

/**
 * Finishing a writer or traffic move whose stack update failed. The state already says where the
 * writer and the traffic go (a failover names the new writer only once the database has it), but
 * the update that renders it did not land, even after its retries: the records still send clients
 * and sync jobs the old way. The watcher plans this after such a failure, with backoff, until an
 * update lands.
 */

/** Operation kinds whose failure leaves the stack behind the state. */
export const MOVE_KINDS: ReadonlySet<string> = new Set(["failover", "switchover", "failback", "traffic"]);

type Finished = Omit<OperationRecord, "plan">;

/** The newest finished move, when it failed: what a reconcile must finish. */
export function failedMove(state: OperationalState): Finished | null {
  const last = [...state.history].reverse().find((h) => MOVE_KINDS.has(h.kind));
  return last !== undefined && last.phase === "failed" ? last : null;
}

export function planReconcile(
  config: EnvironmentConfig,
  state: OperationalState,
  failed: Finished,
  id: string,
): Plan | Refusal {
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  // A failover that got as far as a new writer never ran its syncs: run them now.
  const syncs =
    failed.kind === "failover" && state.writer !== failed.writerBefore ? syncableRegions(state) : [];
  return renderStatePlan(config, state, {
    id,
    prefix: "reconcile",
    why: `finish ${failed.kind} ${failed.id}`,
    after: syncSteps("reconcile", syncs),
  });
}
