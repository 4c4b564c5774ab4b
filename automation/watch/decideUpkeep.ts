import { regionAvailable } from "../health/healthView";
import { failbackTarget } from "../plans/failback";
import { drainedByController } from "../plans/failoverTraffic";
import { dueDeferred, planDeferredStackUpdate } from "../plans/deferredStackUpdate";
import { MOVE_KINDS, failedMove, planReconcile } from "../plans/reconcile";
import {
  dueRepairs,
  enqueueRepair,
  observeReplication,
  planRepair,
  resolveRepairs,
} from "../plans/replication";
import { isRefusal } from "../plans/steps";
import { checkSwitchover } from "../plans/switchover";
import { dueSyncRetries, planSync } from "../plans/sync";
import type { GlobalClusterView } from "../ports";
import { RECONCILE_PREFIX } from "./operationKinds";
import { RECONCILE_BACKOFF, retryTiming } from "./retryBackoff";
import { type TickContext, newId, startOrReport } from "./tickContext";

/** Whether this tick needs the global database described, and whether its replication is due. */
export function databaseWanted(ctx: TickContext): { readonly wanted: boolean; readonly due: boolean } {
  const { now, memory, databaseCheckSeconds } = ctx.inputs;
  const due = now - memory.lastDatabaseCheck >= databaseCheckSeconds * 1000;
  const wantsReadmit = Object.values(ctx.state.regions).some(
    (rs) => (rs.drained || rs.excluded) && drainedByController(rs.note),
  );
  return { wanted: due || wantsReadmit || failbackTarget(ctx.state) !== null, due };
}

/**
 * Members that dropped out of the global cluster go into the retry queue; members connected
 * again leave it. The change is recorded, and decided on at once.
 */
export function checkReplication(ctx: TickContext, db: GlobalClusterView): void {
  const { config, now, replication } = ctx.inputs;
  const observed = observeReplication(config, ctx.state, db, ctx.memory.resync, now, replication);
  ctx.memory = { ...ctx.memory, resync: observed.memory, lastDatabaseCheck: now };
  const queued = new Set(ctx.state.replicationQueue.map((q) => q.region));
  const added = observed.problems.filter((p) => !queued.has(p.region));
  const resolved = ctx.state.replicationQueue
    .filter((q) => observed.connected.includes(q.region))
    .map((q) => q.region);
  if (added.length === 0 && resolved.length === 0) return;
  const change = (s: typeof ctx.state): typeof ctx.state => {
    let queue = resolveRepairs(s.replicationQueue, observed.connected);
    for (const p of observed.problems) queue = enqueueRepair(queue, p, now);
    return { ...s, replicationQueue: queue };
  };
  ctx.state = change(ctx.state);
  const summaries = [
    ...added.map((p) => ({ region: p.region, summary: `queued a repair of ${p.region}: ${p.reason}` })),
    ...resolved.map((r) => ({ region: r, summary: `${r}'s member is connected again; its repair is done` })),
  ];
  summaries.forEach(({ region, summary }, i) =>
    ctx.decisions.push({
      kind: "replication",
      action: "recorded",
      summary,
      region,
      // One write for the whole queue change, carried by the first of its decisions.
      ...(i === 0 ? { effect: { do: "record", purpose: "replication queue", change } as const } : {}),
    }),
  );
}

/**
 * A stack update a move deferred (the Pulumi backend or Route 53's control plane was unreachable):
 * update the stack again once its retry is due. The retry's own failure defers it again, with a
 * longer wait, so the update is never in front of anything that moves the writer or traffic.
 * True when one starts.
 */
export function decideDeferredStackUpdate(ctx: TickContext): boolean {
  const { config, now } = ctx.inputs;
  const pending = ctx.state.deferredStackUpdate ?? null;
  if (pending === null) return false;
  if (dueDeferred(ctx.state, now) === null) {
    ctx.decisions.push({
      kind: "reconcile",
      action: "deferred",
      summary: `the stack update of ${pending.operationId} is pending (${pending.attempts} attempt(s) failed: ${pending.lastError}); the next starts in ${Math.ceil((Date.parse(pending.nextAttemptAt) - now) / 1000)} s`,
    });
    return false;
  }
  const plan = planDeferredStackUpdate(config, ctx.state, newId(ctx, RECONCILE_PREFIX));
  if (isRefusal(plan)) return false;
  return startOrReport(ctx, "reconcile", plan);
}

/**
 * A writer or traffic move whose stack update failed (after its own retries) left the stack
 * behind the state: update it again, backing off while it keeps failing. True when one starts.
 */
export function decideReconcile(ctx: TickContext): boolean {
  const { config, now } = ctx.inputs;
  const state = ctx.state;
  const failed = failedMove(state);
  if (failed === null) return false;
  const retry = retryTiming(
    state,
    (h) => MOVE_KINDS.has(h.kind),
    (h) => h.id.startsWith(`${RECONCILE_PREFIX}-`),
    RECONCILE_BACKOFF,
  );
  if (now < retry.notBefore) {
    ctx.decisions.push({
      kind: "reconcile",
      action: "deferred",
      summary: `${failed.kind} ${failed.id} failed; the stack is updated again in ${Math.ceil((retry.notBefore - now) / 1000)} s`,
    });
    return false;
  }
  const plan = planReconcile(config, state, failed, newId(ctx, RECONCILE_PREFIX));
  if (isRefusal(plan)) return false;
  return startOrReport(ctx, "reconcile", plan, {
    why: `the stack update of ${failed.id} failed`,
    ...(failed.kind === "failover"
      ? { after: { kind: "close-reconciled-failover", from: failed.writerBefore } as const }
      : {}),
  });
}

export function reportFailback(ctx: TickContext, db: GlobalClusterView | null): void {
  const to = failbackTarget(ctx.state);
  if (to === null || db === null) return;
  const checked = checkSwitchover({
    config: ctx.inputs.config,
    state: ctx.state,
    health: ctx.view,
    database: db,
    to,
  });
  if (checked.refusal !== null) return;
  ctx.decisions.push({
    kind: "failback-ready",
    action: "reported",
    summary: `${to} is healthy and its cluster is connected: the writer can move back (RPO 0)`,
    region: to,
    command: `regionctl failback${ctx.stackFlag}`,
  });
}

export function decideRepair(ctx: TickContext): boolean {
  const { config, now } = ctx.inputs;
  for (const item of dueRepairs(ctx.state.replicationQueue, now)) {
    if (!regionAvailable(ctx.view, item.region)) {
      ctx.decisions.push({
        kind: "repair",
        action: "deferred",
        summary: `repair of ${item.region} waits until it is healthy`,
        region: item.region,
      });
      continue;
    }
    const plan = planRepair(config, ctx.state, item, newId(ctx, "repair"));
    if (isRefusal(plan)) {
      ctx.decisions.push({
        kind: "repair",
        action: "refused",
        summary: plan.reason,
        rule: plan.rule,
        region: item.region,
      });
      continue;
    }
    ctx.decisions.push({
      kind: "repair",
      action: "started",
      summary: plan.summary,
      region: item.region,
      operationId: plan.id,
      plan,
      effect: { do: "start", plan, after: { kind: "repair-attempt", region: item.region } },
    });
    return true;
  }
  return false;
}

export function decideSync(ctx: TickContext): void {
  const due = dueSyncRetries(ctx.state, ctx.inputs.now).filter((r) => regionAvailable(ctx.view, r));
  if (due.length === 0) return;
  const plan = planSync(ctx.inputs.config, ctx.state, newId(ctx, "sync"), due);
  if (isRefusal(plan)) {
    ctx.decisions.push({ kind: "sync-retry", action: "refused", summary: plan.reason, rule: plan.rule });
    return;
  }
  ctx.decisions.push({
    kind: "sync-retry",
    action: "started",
    summary: `retry: ${plan.summary}`,
    operationId: plan.id,
    plan,
    effect: { do: "start", plan, after: { kind: "sync-retry", regions: due } },
  });
}
