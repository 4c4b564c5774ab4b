import { regionEndpoint } from "../gates/endpoints";
import { observeBefore } from "../gates/healthGate";
import { sampleHealthy } from "../health/sampleVerdict";
import type { Step } from "../plans/steps";
import { type StepContext, type StepOutcome, paused } from "./stepContext";

/**
 * A promotion never holds a failover back. The watcher does not supersede a running operation, so
 * a promotion that notices its writer failing pauses; the failover then supersedes it. Between moves
 * the safety gate notices; during a promotion's long steps (a bake, a wait, a health gate on other
 * regions) this guard does, observing the writer every check interval beside the step.
 */

/** The pause a failing writer causes; `promote` runs the paused step again rather than passing it. */
export function writerFailingPause(writer: string, detail: string): StepOutcome {
  return paused(
    `writer ${writer} is failing (${detail}); nothing more moves. A failover supersedes this promotion and rolls back what moved; \`regionctl promote\` checks again and goes on once every region is healthy, \`regionctl abort\` rolls back`,
  );
}

export function isWriterFailingPause(detail: string | null | undefined): boolean {
  return detail !== null && detail !== undefined && /^writer \S+ is failing \(/.test(detail);
}

/**
 * Steps of a promotion the guard watches: long waits that do not observe the writer themselves. A
 * health gate on the writer's own wave is left to fail on its own: the new version is then the
 * likely cause, and rolling back is the cure, not a failover.
 */
export function guardsWriter(kind: string, step: Step, writer: string): boolean {
  if (kind !== "deploy") return false;
  if (step.kind === "wait" || step.kind === "analysis") return true;
  return step.kind === "healthGate" && !step.regions.includes(writer);
}

/** Why the guard stops when the step ends: made once, as aborting without a reason builds a DOMException. */
const STEP_OVER: Error = Object.assign(new Error("the guarded step is over"), { name: "AbortError" });

/** Runs `body` with the writer watched; a writer failing `failureThreshold` rounds in a row pauses. */
export async function runGuarded(
  ctx: StepContext,
  body: (ctx: StepContext) => Promise<StepOutcome>,
): Promise<StepOutcome> {
  const writer = ctx.state.current.writer;
  const trip = new AbortController();
  const done = new AbortController();
  const signal = AbortSignal.any([ctx.signal, trip.signal]);
  let failing: string | null = null;
  const guard = watchWriter(ctx, writer, AbortSignal.any([signal, done.signal]), (detail) => {
    failing = detail;
    trip.abort(new Error(`writer ${writer} is failing`));
  });
  try {
    const outcome = await body({ ...ctx, signal });
    return failing !== null && outcome.status !== "ok" ? writerFailingPause(writer, failing) : outcome;
  } catch (err) {
    if (failing !== null && !ctx.signal.aborted) return writerFailingPause(writer, failing);
    throw err;
  } finally {
    done.abort(STEP_OVER);
    await guard;
  }
}

async function watchWriter(
  ctx: StepContext,
  writer: string,
  signal: AbortSignal,
  onFailing: (detail: string) => void,
): Promise<void> {
  const { clock, health } = ctx.ports;
  const check = ctx.config.dns.healthCheck;
  const intervalMs = check.intervalSeconds * 1000;
  const endpoint = regionEndpoint(ctx.config, writer);
  let failures = 0;
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalMs, signal);
      const [sample] = await observeBefore({ health, clock, signal }, [endpoint], intervalMs);
      if (sample !== undefined && sampleHealthy(sample)) {
        failures = 0;
        continue;
      }
      failures++;
      const detail = sample?.detail ?? "no answer within the check interval";
      if (failures >= check.failureThreshold) {
        ctx.progress(`writer failing ${failures} checks in a row (${detail}); pausing`, writer);
        onFailing(detail);
        return;
      }
    } catch {
      // Stopped (the step ended) or the health source failed; a failed round proves nothing.
      if (signal.aborted) return;
    }
  }
}
