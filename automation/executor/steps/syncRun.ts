import type { Step } from "../../plans/steps";
import { errorMessage, failed, ok, type StepContext, type StepOutcome } from "../stepContext";

/** Runs a region's sync job now and records its watermark (or its error and next retry) in state. */
export async function runSyncRun(
  step: Extract<Step, { kind: "syncRun" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const { clock, sync } = ctx.ports;
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (ctx.impaired().includes(step.region)) {
    // A region that failed after the plan was made is not called; its schedule catches it up
    // once it is back, so its outage does not fail the operation that planned the run.
    const retryAt = iso(clock.now() + ctx.config.sync.retrySeconds * 1000);
    await setSync(ctx, step.region, (prev) => ({
      ...prev,
      status: "error",
      lastError: "region failing",
      nextRunAt: retryAt,
    }));
    return ok(`sync of ${step.region} skipped: the region is failing; the schedule retries at ${retryAt}`);
  }
  const deferred = ctx.state.current.deferredStackUpdate ?? null;
  if (deferred !== null) {
    // The sync jobs learn the writer from the stack; until the deferred update lands they still
    // name the old one, so a run now would read a writer that may be gone. The schedule catches up.
    const retryAt = iso(clock.now() + ctx.config.sync.retrySeconds * 1000);
    await setSync(ctx, step.region, (prev) => ({ ...prev, nextRunAt: retryAt }));
    return ok(
      `sync of ${step.region} waits for the deferred stack update of ${deferred.operationId}; the schedule retries at ${retryAt}`,
    );
  }
  await setSync(ctx, step.region, (prev) => ({ ...prev, status: "running" }));
  let result;
  try {
    result = await sync.run(step.region, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    result = { ok: false, watermark: null, detail: errorMessage(err) };
  }
  if (result.ok) {
    await setSync(ctx, step.region, (prev) => ({
      lastSync: result.watermark ?? prev.lastSync,
      status: "idle",
      lastError: null,
      nextRunAt: null,
    }));
    return ok(
      `sync of ${step.region} reached ${result.watermark ?? "an unknown watermark"}: ${result.detail}`,
    );
  }
  const retryAt = iso(clock.now() + ctx.config.sync.retrySeconds * 1000);
  await setSync(ctx, step.region, (prev) => ({
    ...prev,
    status: "error",
    lastError: result.detail,
    nextRunAt: retryAt,
  }));
  return failed(`sync of ${step.region} failed: ${result.detail}; the schedule retries at ${retryAt}`);
}

type SyncEntry = import("../../../components/operationalState").SyncState;

async function setSync(
  ctx: StepContext,
  region: string,
  change: (prev: SyncEntry) => SyncEntry,
): Promise<void> {
  await ctx.state.update((s) => {
    const prev = s.sync[region] ?? { lastSync: null, status: "idle", lastError: null, nextRunAt: null };
    return { ...s, sync: { ...s.sync, [region]: change(prev) } };
  });
}
