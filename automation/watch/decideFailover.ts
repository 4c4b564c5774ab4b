import type { OperationRecord } from "../../components/operationalState";
import { planFailover } from "../plans/failover";
import { openIncident } from "./incidents";
import { FAILOVER_BACKOFF, retryTiming } from "./retryBackoff";
import { supersedeOperation } from "./supersede";
import { type TickContext, needs, newId } from "./tickContext";

/**
 * The writer is down (by agreement): plan the failover and start it (auto), or say which one to
 * run (manual). `stuck` is an operation that cannot move on by itself and is superseded.
 */
export function decideFailover(ctx: TickContext, stuck: OperationRecord | null = null): void {
  const { config, decidedAt: now, memory } = ctx.inputs;
  const state = ctx.state;
  const from = state.writer;
  const faultAt = memory.tracker[from]?.failingSince ?? now;
  // A failover that failed (its database promotion did not go through: the state still names
  // the old writer) is tried again, backing off while it keeps failing.
  const retry = retryTiming(
    state,
    (h) => h.kind === "failover",
    () => true,
    FAILOVER_BACKOFF,
  );
  if (retry.retries > 0 && now < retry.notBefore) {
    ctx.decisions.push({
      kind: "failover",
      action: "deferred",
      summary: `writer ${from} is unhealthy; ${retry.retries} failover attempt(s) failed, the next starts in ${Math.ceil((retry.notBefore - now) / 1000)} s`,
      region: from,
    });
    return;
  }
  if (ctx.inputs.database === "unread") {
    ctx.needsDatabase = true;
    return;
  }
  const id = newId(ctx, "failover");
  // An operation that cannot move on by itself does not hold the failover back: it is superseded.
  const decision = planFailover({
    config,
    state: stuck === null ? state : { ...state, operation: null },
    health: ctx.view,
    database: ctx.inputs.database,
    id,
  });
  if (decision.refused) {
    ctx.decisions.push({
      kind: "failover",
      action: "refused",
      summary: `writer ${from} is unhealthy, and no failover is allowed: ${decision.reason}`,
      rule: decision.rule,
      region: from,
    });
    needs(ctx, "failed");
    return;
  }
  const command = `regionctl failover${ctx.stackFlag} --to ${decision.to}`;
  if (!ctx.auto) {
    ctx.decisions.push({
      kind: "failover",
      action: "reported",
      summary: `manual mode: writer ${from} is unhealthy; the failover to run is: ${decision.plan.summary}`,
      region: decision.to,
      command,
      plan: decision.plan,
    });
    needs(ctx, "waiting");
    return;
  }
  const supersedeReason = `superseded by failover ${id}: writer ${from} is unhealthy`;
  if (stuck !== null) {
    ctx.decisions.push({
      kind: "operation",
      action: "recorded",
      summary: `${stuck.kind} ${stuck.id} ${supersedeReason}`,
      operationId: stuck.id,
    });
  }
  ctx.decisions.push({
    kind: "failover",
    action: "started",
    summary: decision.plan.summary,
    region: decision.to,
    operationId: id,
    command,
    plan: decision.plan,
    effect: {
      do: "start",
      plan: decision.plan,
      before: (s) =>
        openIncident(
          stuck !== null && s.operation?.id === stuck.id ? supersedeOperation(s, supersedeReason, now) : s,
          {
            kind: "failover",
            from,
            to: decision.to,
            startedAt: now,
            faultAt,
            rpoSeconds: decision.lagSeconds,
          },
        ),
      after: { kind: "close-incident", operation: "failover", from },
    },
  });
}
