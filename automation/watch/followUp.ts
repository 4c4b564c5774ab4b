import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import type { OperationResult } from "../executor";
import { type ReplicationSettings, recordRepairAttempt } from "../plans/replication";
import { ensureRetryScheduled } from "../plans/sync";
import type { Ports } from "../ports";
import type { FollowUp } from "./decision";
import { closeIncident, recoveredAt } from "./incidents";

export interface FollowUpPorts {
  readonly config: EnvironmentConfig;
  readonly ports: Ports;
  readonly random: () => number;
  readonly replication: ReplicationSettings;
  readonly bookkeeping: (
    purpose: string,
    change: (s: OperationalState) => OperationalState | null,
  ) => Promise<unknown>;
  /** Look at the global database's members again at the next tick. */
  readonly recheck: () => void;
}

/** The bookkeeping a decision asked for once its operation ended. */
export async function followUp(
  what: FollowUp | undefined,
  result: OperationResult | null,
  error: string | null,
  io: FollowUpPorts,
): Promise<void> {
  if (what === undefined) return;
  const { config, ports, bookkeeping } = io;
  switch (what.kind) {
    case "close-incident": {
      // Closed at the step that made the new writer serve: a sync run that fails afterwards does
      // not undo the recovery.
      if (result === null) return;
      const at = recoveredAt(result.state, result.operationId, what.operation);
      if (at === null) return;
      const to = result.state.writer;
      await bookkeeping(`${what.operation} incident`, (s) =>
        closeIncident(s, what.operation, what.from, to, at, config.dns.ttl),
      );
      return;
    }
    case "close-reconciled-failover": {
      // A failover finished this way recovered when its writer's traffic finally moved.
      if (result?.outcome !== "succeeded") return;
      const at = result.state.history.at(-1)?.steps.find((x) => x.id === "reconcile/stack")?.finishedAt;
      if (at === undefined || at === null) return;
      await bookkeeping("failover incident", (s) =>
        closeIncident(s, "failover", what.from, s.writer, Date.parse(at), config.dns.ttl),
      );
      return;
    }
    case "repair-attempt": {
      const outcome =
        result?.outcome === "succeeded"
          ? ({ ok: true } as const)
          : ({ ok: false, error: result?.reason ?? error ?? "repair failed" } as const);
      await bookkeeping("replication queue", (s) => ({
        ...s,
        replicationQueue: recordRepairAttempt(
          s.replicationQueue,
          what.region,
          outcome,
          ports.clock.now(),
          io.random,
          io.replication,
        ),
      }));
      // Look at the members again at the next tick: a repair that worked leaves the queue then.
      io.recheck();
      return;
    }
    case "sync-retry": {
      // A run that died without recording its retry time gets one, so it cannot stay in error.
      await bookkeeping("sync retry", (s) => {
        const t = ports.clock.now();
        const sync = { ...s.sync };
        let changed = false;
        for (const r of what.regions) {
          const cur = sync[r];
          if (cur === undefined) continue;
          const next = ensureRetryScheduled(
            cur.status === "running"
              ? { ...cur, status: "error", lastError: cur.lastError ?? "the run ended without a result" }
              : cur,
            t,
            config.sync.retrySeconds,
          );
          if (next !== cur) {
            sync[r] = next;
            changed = true;
          }
        }
        return changed ? { ...s, sync } : null;
      });
      return;
    }
  }
}
