import { regionEndpoints } from "../../gates/endpoints";
import { runSafetyGate } from "../../gates/safetyGate";
import { movedRegions } from "../../plans/restoreRegions";
import type { Step } from "../../plans/steps";
import { failed, ok, type StepContext, type StepOutcome } from "../stepContext";
import { writerFailingPause } from "../writerGuard";

/**
 * No promotion while a region is failing. The regions observed are those serving in the live
 * state, not the plan's list: what counts is what serves now. A region taken out of traffic or out
 * of stack updates since the promotion started is failing by the controller's own record.
 *
 * - Every serving region healthy in one round: the promotion moves on.
 * - The writer confirmed failing: the promotion pauses where it is, so a failover can supersede it
 *   (the watcher never supersedes a running operation, and holding here would hold the failover).
 * - A region this promotion already moved confirmed failing: the new version is the likely cause,
 *   so the promotion fails at once and rolls back.
 * - Any other failing region holds the promotion until it recovers, or until the timeout, when it
 *   fails and rolls back.
 */
export async function runSafetyGateStep(
  step: Extract<Step, { kind: "safetyGate" }>,
  ctx: StepContext,
): Promise<StepOutcome> {
  const live = ctx.state.current;
  const out = Object.entries(live.regions).filter(([, r]) => r.drained || r.excluded);
  if (out.length > 0) {
    return failed(
      `no promotion while a region is failing: ${out.map(([name, r]) => `${name} is out of service (${r.note ?? (r.drained ? "drained" : "excluded")})`).join("; ")}`,
    );
  }
  const serving = ctx.config.regions.map((r) => r.region).filter((r) => !live.regions[r].drained);
  const op = live.operation;
  const moved = new Set(op === null ? [] : movedRegions(live, op.before, serving));
  const writer = live.writer;
  const result = await runSafetyGate(
    {
      endpoints: regionEndpoints(ctx.config, serving),
      failureThreshold: step.failureThreshold,
      timeoutMs: step.timeoutSeconds * 1000,
      intervalMs: ctx.config.dns.healthCheck.intervalSeconds * 1000,
      stopsAt: (region) => region === writer || moved.has(region),
    },
    {
      health: ctx.ports.health,
      clock: ctx.ports.clock,
      signal: ctx.signal,
      onRound: (failing) => {
        for (const f of failing)
          ctx.progress(`holding: failing (${f.rounds} round(s)): ${f.detail}`, f.region);
      },
    },
  );
  switch (result.status) {
    case "healthy":
      return ok(
        `every serving region (${serving.join(", ")}) healthy${result.rounds > 1 ? ` after holding ${Math.round(result.elapsedMs / 1000)} s` : ""}`,
      );
    case "stopped":
      if (result.region === writer) return writerFailingPause(writer, result.detail);
      return failed(`${result.region}, which this promotion moved, is failing: ${result.detail}`);
    case "timeout":
      return failed(
        `no promotion while a region is failing: ${result.failing.map((f) => `${f.region} (${f.detail})`).join("; ")} still failing after ${step.timeoutSeconds} s`,
      );
  }
}
