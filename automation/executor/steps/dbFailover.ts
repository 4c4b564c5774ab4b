import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/**
 * Unplanned promotion of `to`. Every call goes through the target region's endpoint: the old
 * writer's region may be the one that is down. When the managed failover is impossible, the
 * fallback detaches `to` from the global cluster, which makes it a standalone writer; the other
 * regions then need rebuilding, so they go on the replication retry queue.
 */
export async function runDbFailover(
  step: Extract<Step, { kind: "dbFailover" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const db = ctx.ports.database;
  try {
    const view = await db.describe(step.to);
    if (view.writer === step.to) {
      return ok(`${step.to} is already the writer`);
    }
    if (view.writer === null) {
      // A failover issued before a restart is still running: issuing another would fail, and the
      // detach fallback would then split the cluster for no reason.
      return ok(`a writer change is already in progress (${view.status}); the next step waits for it`);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.progress(`describe failed (${errorMessage(err)}); failing over anyway`, step.to);
  }
  try {
    ctx.progress(`failing over the global database to ${step.to}`, step.to);
    await db.failover(step.to, step.to);
    return ok(`managed failover to ${step.to} started`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (!step.detachFallback) {
      return failed(`managed failover to ${step.to} failed: ${errorMessage(err)}`);
    }
    ctx.progress(
      `managed failover failed (${errorMessage(err)}); detaching ${step.to} from the global cluster`,
      step.to,
    );
    try {
      await db.removeFromGlobal(step.to, step.to);
    } catch (detachErr) {
      if (ctx.signal.aborted) throw detachErr;
      return failed(
        `managed failover to ${step.to} failed (${errorMessage(err)}) and so did detaching it (${errorMessage(detachErr)})`,
      );
    }
    await queueRebuilds(ctx, step.to, errorMessage(err));
    return ok(
      `managed failover failed (${errorMessage(err)}); ${step.to} detached and promoted as a standalone writer`,
    );
  }
}

async function queueRebuilds(ctx: StepContext, writer: string, cause: string): Promise<void> {
  const now = new Date(ctx.ports.clock.now()).toISOString();
  await ctx.state.update((s) => {
    const queued = new Set(s.replicationQueue.map((q) => q.region));
    const others = Object.keys(s.regions).filter((r) => r !== writer && !queued.has(r));
    return {
      ...s,
      replicationQueue: [
        ...s.replicationQueue,
        ...others.map((region) => ({
          region,
          reason: `rebuild as a secondary of ${writer} after a detach failover (${cause})`,
          attempts: 0,
          nextAttemptAt: now,
          lastError: null,
          queuedAt: now,
        })),
      ],
    };
  });
}
