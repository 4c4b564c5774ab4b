import { AWAIT_WRITER_TIMEOUT_SECONDS, RECOVERY_UPDATE_ATTEMPTS, memberOf } from "../../plans/failoverSafety";
import { detachedWriterRecord, fenceAfterDetach } from "../../plans/fence";
import type { Step } from "../../plans/steps";
import type { GlobalClusterView } from "../../ports";
import { isTransientError, retryTransient } from "../retry";
import { stepRetry } from "../stepRetry";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { runStackUpdate } from "./stackUpdate";
import { writerChangeEnd } from "./writerChangeEnd";

/**
 * Unplanned promotion of `to`. Every call goes through the target region's endpoint: the old
 * writer's region may be the one that is down. Transient API errors (throttling, an endpoint that
 * fails for a few seconds) are retried with backoff; only a refusal, or errors that outlast the
 * retries, make the managed failover count as impossible. Then the fallback fences the old writer
 * (no application writes to it any more) and detaches `to` from the global cluster, which makes it a
 * standalone writer; the other regions then need rebuilding under it, so they go on the replication
 * retry queue. The state records the detached writer (its own endpoint, which the apps and the
 * secret must name) and every cluster the detach left writable, to be fenced when its region is back.
 *
 * The fence and the detach overlap when the database reports the old writer's cluster unavailable:
 * nothing can write to it then, so the detach cannot make a second writer, and the failover's
 * writer path is detection plus the detach alone. While the old writer may still be reachable, the
 * fence lands first.
 */
export async function runDbFailover(
  step: Extract<Step, { kind: "dbFailover" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const db = ctx.ports.database;
  const retrying = (what: string) => stepRetry(ctx, what, step.to);
  let seen: GlobalClusterView | null = null;
  try {
    let view = await retryTransient(() => db.describe(step.to), retrying("describe"));
    if (view.writer === null && view.detachedWriter === undefined) {
      // A writer change is in progress: this failover's own, issued before a restart, or one
      // towards a region that then died. Issuing another now would fail, and the detach fallback
      // would then split the cluster for no reason; so it is waited for, and the failover goes on
      // only if it did not end with this target as the writer.
      ctx.progress(`a writer change is in progress (${view.status}); waiting for it to end`, step.to);
      const end = await writerChangeEnd(ctx, step.to, view, AWAIT_WRITER_TIMEOUT_SECONDS);
      if (end.status === "unreachable") {
        return failed(
          `${step.to} abandoned: unreachable while a writer change was in progress (${end.detail}); fail over again to a live region`,
        );
      }
      if (end.status === "timeout") return failed(end.detail);
      view = end.view;
    }
    seen = view;
    if (view.writer === step.to || view.detachedWriter === step.to) {
      return ok(`${step.to} is already the writer`);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.progress(`describe failed (${errorMessage(err)}); failing over anyway`, step.to);
  }
  try {
    ctx.progress(`failing over the global database to ${step.to}`, step.to);
    await retryTransient(() => db.failover(step.to, step.to), retrying("FailoverGlobalCluster"));
    return ok(`managed failover to ${step.to} started`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (await writerMoving(ctx, step.to)) {
      // An attempt that timed out on our side may have reached Aurora: it is promoting already.
      return ok(
        `a writer change to ${step.to} is under way after ${errorMessage(err)}; the next step waits for it`,
      );
    }
    if (!step.detachFallback) {
      return failed(`managed failover to ${step.to} failed: ${errorMessage(err)}`);
    }
    const why = isTransientError(err)
      ? `still failing after retries: ${errorMessage(err)}`
      : errorMessage(err);
    const from = ctx.state.current.writer;
    const detach = async (): Promise<string | null> => {
      ctx.progress(
        `managed failover impossible (${why}); detaching ${step.to} from the global cluster`,
        step.to,
      );
      try {
        await retryTransient(
          () => db.removeFromGlobal(step.to, step.to),
          retrying("RemoveFromGlobalCluster"),
        );
        return null;
      } catch (detachErr) {
        if (ctx.signal.aborted) throw detachErr;
        return errorMessage(detachErr);
      }
    };
    const overlap = from !== step.to && oldWriterUnavailable(seen, from);
    let fenceProblem: string | null;
    let detachProblem: string | null;
    if (overlap) {
      ctx.progress(`${from}'s cluster is unavailable: fencing it and detaching ${step.to} at once`, step.to);
      // The fence's update is abandoned if the target fails meanwhile: the failover must start
      // again towards a live region at once, not after an update that cannot land.
      const cancel = new AbortController();
      const relay = (): void => cancel.abort();
      ctx.signal.addEventListener("abort", relay, { once: true });
      let fenced: string | null | "lost";
      try {
        [fenced, detachProblem] = await Promise.all([
          unlessLost(
            ctx,
            step.to,
            fence({ ...ctx, signal: cancel.signal }, step.id, from, step.to, { revertOnFailure: false }),
            cancel,
          ),
          detach(),
        ]);
      } finally {
        ctx.signal.removeEventListener("abort", relay);
      }
      if (fenced === "lost") {
        if (detachProblem === null) await recordDetach(ctx, from, step.to, why);
        return failed(`${step.to} failed while it was being promoted; fail over again to a live region`);
      }
      fenceProblem = fenced;
    } else {
      fenceProblem = await fence(ctx, step.id, from, step.to, { revertOnFailure: true });
      if (fenceProblem !== null) {
        return failed(`managed failover to ${step.to} failed (${why}); not detaching it: ${fenceProblem}`);
      }
      if (ctx.impaired().includes(step.to)) {
        // The target failed while the fence's update ran: its API is not called, the database
        // keeps its writer, and so does the state.
        await ctx.state.update((s) => ({ ...s, writer: from }));
        return failed(`${step.to} failed while it was being promoted; fail over again to a live region`);
      }
      detachProblem = await detach();
    }
    if (detachProblem !== null) {
      // The database still has its old writer: so does the state.
      await ctx.state.update((s) => ({ ...s, writer: from }));
      return failed(
        `managed failover to ${step.to} failed (${why}) and so did detaching it (${detachProblem})`,
      );
    }
    await recordDetach(ctx, from, step.to, why);
    if (fenceProblem !== null) {
      // The detach is done and the old writer unreachable: the state keeps the new writer, and the
      // failed move is finished by a reconcile that renders it.
      return failed(`${step.to} detached and promoted, but ${fenceProblem}`);
    }
    return ok(
      `managed failover impossible (${why}); ${step.to} detached and promoted as a standalone writer`,
    );
  }
}

/** How often a fence running beside a detach checks that the target is still alive. */
const TARGET_CHECK_MS = 5_000;

/**
 * `work`, unless the watcher finds `region` failing first: then `cancel` stops it and the answer is
 * "lost". Without a watcher nothing is ever found failing, and `work` is awaited to its end.
 */
async function unlessLost<T>(
  ctx: StepContext,
  region: string,
  work: Promise<T>,
  cancel: AbortController,
): Promise<T | "lost"> {
  const settled = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  for (;;) {
    const tick = new AbortController();
    const outcome = await Promise.race([
      settled,
      ctx.ports.clock.sleep(TARGET_CHECK_MS, tick.signal).then(
        () => null,
        () => null,
      ),
    ]);
    tick.abort();
    if (outcome !== null) {
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (ctx.impaired().includes(region)) {
      cancel.abort();
      await settled;
      return "lost";
    }
  }
}

/** The database reports the old writer's cluster unavailable: nothing can write to it now. */
function oldWriterUnavailable(view: GlobalClusterView | null, from: string): boolean {
  const status = memberOf(view, from)?.status;
  return status === "unavailable" || status === "inaccessible";
}

/**
 * Durably, before the step ends: the rebuilds the split needs, the clusters it left writable (to
 * fence when their regions are back), and the detached writer with its own endpoint.
 */
async function recordDetach(ctx: StepContext, from: string, to: string, cause: string): Promise<void> {
  const at = new Date(ctx.ports.clock.now()).toISOString();
  await ctx.state.update((s) => ({
    ...s,
    fenceOnReturn: fenceAfterDetach(s, {
      from,
      to,
      clusterIdentifier: (region) => `${ctx.config.environment}-${region}`,
      at,
    }),
  }));
  await queueRebuilds(ctx, to, cause);
  // Its API is not called during its outage: the record waits for the next confirmation.
  if (ctx.impaired().includes(to)) return;
  try {
    const view = await retryTransient(() => ctx.ports.database.describe(to), stepRetry(ctx, "describe", to));
    await recordDetachedWriter(ctx, view, to);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    // The next step, which confirms the writer through the same cluster, records it.
    ctx.progress(`the detached cluster's endpoint is not known yet (${errorMessage(err)})`, to);
  }
}

/** Records `region`'s standalone cluster as the writer, when `view` shows it with its endpoint. */
export async function recordDetachedWriter(
  ctx: StepContext,
  view: GlobalClusterView,
  region: string,
): Promise<void> {
  const at = new Date(ctx.ports.clock.now()).toISOString();
  const record = detachedWriterRecord(view, region, ctx.operationId, at);
  if (record === null) return;
  const known = ctx.state.current.detachedWriter;
  if (known?.region === record.region && known.endpoint === record.endpoint) return;
  await ctx.state.update((s) => ({ ...s, detachedWriter: record }));
}

/**
 * Before a detach: nothing may write to the old writer any more. A detached cluster takes writes on
 * its own, and the old writer keeps taking whatever reaches it (now, or when its region comes back):
 * Aurora does not demote it as a managed failover would. So, as AWS's recovery procedure says, the
 * applications stop writing to it first: the state names the target the writer and a stack update
 * points every region's application at it (writes fail until the detach completes, as they do
 * during any failover), the old writer's region out of traffic and untouched. Returns why the
 * fence could not be set (the state then names the old writer again), or null.
 */
async function fence(
  ctx: StepContext,
  stepId: string,
  from: string,
  to: string,
  options: { readonly revertOnFailure: boolean },
): Promise<string | null> {
  if (from === to) return null;
  ctx.progress(`fencing ${from}: pointing every application at ${to} before detaching it`, to);
  await ctx.state.update((s) => ({
    ...s,
    writer: to,
    regions: { ...s.regions, [from]: { ...s.regions[from], drained: true, excluded: true } },
  }));
  // As any stack update: regions excluded in the state, or failing now, are left untouched.
  const outcome = await runStackUpdate(
    {
      id: `${stepId}/fence`,
      kind: "stackUpdate",
      description: `point every application at ${to}`,
      attempts: RECOVERY_UPDATE_ATTEMPTS,
    },
    ctx,
  );
  if (outcome.status === "ok") return null;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (options.revertOnFailure) await ctx.state.update((s) => ({ ...s, writer: from }));
  return `the applications could not be pointed away from ${from} (${outcome.detail})`;
}

/** Whether the database already shows a writer change to `to` (or has it), seen through `to`. */
async function writerMoving(ctx: StepContext, to: string): Promise<boolean> {
  try {
    const view = await ctx.ports.database.describe(to);
    return view.writer === null || view.writer === to || view.detachedWriter === to;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return false;
  }
}

async function queueRebuilds(ctx: StepContext, writer: string, cause: string): Promise<void> {
  const now = new Date(ctx.ports.clock.now()).toISOString();
  const reason = `rebuild as a secondary of ${writer} after a detach failover (${cause})`;
  await ctx.state.update((s) => {
    const queued = new Set(s.replicationQueue.map((q) => q.region));
    const others = Object.keys(s.regions).filter((r) => r !== writer && !queued.has(r));
    return {
      ...s,
      replicationQueue: [
        // Items an earlier detach queued now rebuild under this writer.
        ...s.replicationQueue
          .filter((q) => q.region !== writer)
          .map((q) => (/after a detach failover/.test(q.reason) ? { ...q, reason } : q)),
        ...others.map((region) => ({
          region,
          reason,
          attempts: 0,
          nextAttemptAt: now,
          lastError: null,
          queuedAt: now,
        })),
      ],
    };
  });
}
