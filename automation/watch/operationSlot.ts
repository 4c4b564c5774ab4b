import { decideFailover } from "./decideFailover";
import { AUTO_RESUMED, YIELDS_TO_FAILOVER } from "./operationKinds";
import { PREEMPTED_BY_FAILOVER, WRITER_MOVES_PREEMPTED } from "./preempt";
import { supersedable } from "./supersede";
import { type TickContext, needs } from "./tickContext";

/**
 * The one-operation rule and the preemption rule, in one place. One operation runs at a time per
 * environment; a failed writer is the one thing that does not wait for it:
 * - the watcher's own repair, traffic change or sync yields (stopped where it is, superseded);
 * - a release another process runs is asked to stop, and the failover starts once it let go; a
 *   release that moves a region now failing is stopped the same way, before it calls that region;
 * - a switchover or failback another process runs is asked to stop when the writer it named
 *   fails (the target, once the database was asked to move there), or a region it moves fails
 *   (its rollback would put traffic back through it);
 * - an operation that cannot move on by itself (paused, failed rollback, orphaned) is superseded;
 * - a failover or another writer move in flight is waited for: it is already the recovery.
 *
 * Returns "taken" when the slot is busy or a decision about it was made (nothing else is decided
 * this tick), "free" when the other rules may run.
 */
/** The regions a recorded plan may change; the record keeps the plan as it was stored. */
function planRegions(plan: unknown): readonly string[] {
  if (typeof plan !== "object" || plan === null) return [];
  const regions = (plan as { regions?: unknown }).regions;
  return Array.isArray(regions) ? regions.filter((r): r is string => typeof r === "string") : [];
}

/**
 * Down, not merely erroring: the watcher's verdict is unhealthy (or flapping) and Route 53's
 * checkers, from many locations, call the region unhealthy too. A build that fails some requests
 * is the release's own business (its analysis rolls it back, and the region answers the rollback);
 * a region that does not answer at all would turn every call the release makes into a timeout.
 */
function regionDown(ctx: TickContext, region: string): boolean {
  const v = ctx.view[region];
  const rs = ctx.state.regions[region];
  const h = ctx.inputs.memory.tracker[region];
  if (v === undefined || rs === undefined || h === undefined || rs.drained) return false;
  return (!v.healthy || v.heldOut) && h.route53 === "unhealthy";
}

export function claimSlot(ctx: TickContext, writerDown: boolean): "free" | "taken" {
  const { running, leaseLive, lease, holder, preemptAsked, config } = ctx.inputs;
  const state = ctx.state;
  const writer = state.writer;

  if (running !== null) {
    if (writerDown && ctx.auto && YIELDS_TO_FAILOVER.has(running.kind)) {
      const reason = `yields to the failover: writer ${writer} is unhealthy`;
      ctx.decisions.push({
        kind: "yield",
        action: "stopping",
        summary: `${running.kind} ${running.id} ${reason}`,
        operationId: running.id,
        effect: { do: "stop", operationId: running.id, reason },
      });
      return "taken";
    }
    ctx.decisions.push({
      kind: "operation",
      action: "deferred",
      summary: `operation ${running.id} is running`,
      operationId: running.id,
    });
    if (writerDown) {
      const toward = running.target === null ? "" : ` (promoting ${running.target})`;
      ctx.notes.push(`writer ${writer} is unhealthy; the failover decision waits for ${running.id}${toward}`);
    }
    return "taken";
  }

  const op = state.operation;
  const active = op !== null && (op.phase === "running" || op.phase === "compensating");
  // A release that moves a region now down would update it and query its metrics: its calls go
  // into an impaired region, and its gate waits out a timeout there. It is preempted as for a
  // failed writer, and the failed region is then held out like any other.
  const impaired = op === null ? [] : planRegions(op.plan).filter((r) => r !== writer && regionDown(ctx, r));
  const preemptable =
    op !== null &&
    (PREEMPTED_BY_FAILOVER.has(op.kind) || WRITER_MOVES_PREEMPTED.has(op.kind)) &&
    (writerDown || impaired.length > 0);
  if (preemptable && ctx.auto && op !== null && active && leaseLive && lease?.holder !== holder) {
    const why = writerDown
      ? `failover: writer ${writer} is unhealthy`
      : `hold-out: ${impaired.join(", ")} ${impaired.length === 1 ? "is" : "are"} failing`;
    if (!preemptAsked.includes(op.id)) {
      // Failover preempts a release another process runs: it stops at once without calling the
      // failed region, and the failover starts in this same tick.
      ctx.decisions.push({
        kind: "preempt",
        action: "stopping",
        summary: `${op.kind} ${op.id} is asked to stop for the ${why}`,
        operationId: op.id,
        effect: {
          do: "preempt",
          operation: op,
          by: `${holder} (${why})`,
          // The run polls every second; it has until the next tick to let go.
          waitMs: config.dns.healthCheck.intervalSeconds * 1000,
        },
      });
      return "taken";
    }
    ctx.notes.push(
      `${op.kind} ${op.id} was asked to stop for the ${why}, and has not yet; its safety gate pauses it`,
    );
  }

  if (op !== null) {
    const orphaned = active && !leaseLive;
    const yields = ctx.auto && YIELDS_TO_FAILOVER.has(op.kind);
    if (writerDown && supersedable(op, leaseLive) && (yields || !(orphaned && AUTO_RESUMED.has(op.kind)))) {
      decideFailover(ctx, op);
      return "taken";
    }
    const waitNote = (): void => {
      if (writerDown)
        ctx.notes.push(`writer ${writer} is unhealthy; the failover waits for ${op.kind} ${op.id} to end`);
    };
    if (orphaned && !AUTO_RESUMED.has(op.kind)) {
      // A release belongs to whoever started it: say how to continue it, do not push it on.
      ctx.decisions.push({
        kind: "operation",
        action: "reported",
        summary: `${op.kind} ${op.id} was interrupted (${op.phase}); its process is gone`,
        command: `regionctl resume${ctx.stackFlag}  # or: regionctl abort${ctx.stackFlag}`,
      });
      waitNote();
      needs(ctx, "waiting");
      return "taken";
    }
    if (orphaned) {
      // Its process died (the lease expired): carry on from the first unfinished step.
      ctx.decisions.push({
        kind: "resume",
        action: "started",
        summary: `resuming ${op.kind} ${op.id} from its first unfinished step`,
        operationId: op.id,
        effect: {
          do: "resume",
          operation: op,
          ...(op.kind === "failover" || op.kind === "switchover" || op.kind === "failback"
            ? { after: { kind: "close-incident", operation: op.kind, from: op.writerBefore } as const }
            : {}),
        },
      });
      return "taken";
    }
    if (op.phase === "paused") {
      ctx.decisions.push({
        kind: "operation",
        action: "reported",
        summary: `${op.kind} ${op.id} is paused (${op.reason ?? "waiting for a person"})`,
        command: `regionctl promote${ctx.stackFlag}  # or: regionctl abort${ctx.stackFlag}`,
      });
      if (writerDown) needs(ctx, "waiting");
    } else if (op.phase === "failed") {
      ctx.decisions.push({
        kind: "operation",
        action: "reported",
        summary: `${op.kind} ${op.id}: rollback failed (${op.reason ?? "unknown"})`,
        command: `regionctl resume${ctx.stackFlag}  # or: regionctl abort${ctx.stackFlag}`,
      });
      needs(ctx, "failed");
    } else {
      ctx.decisions.push({
        kind: "operation",
        action: "deferred",
        summary: `${op.kind} ${op.id} is ${op.phase} (held by ${lease?.holder ?? "?"})`,
      });
    }
    waitNote();
    return "taken";
  }

  if (leaseLive) {
    ctx.decisions.push({
      kind: "operation",
      action: "deferred",
      summary: `the lease is held by ${lease?.holder ?? "?"} (${lease?.operation ?? "?"})`,
    });
    return "taken";
  }
  return "free";
}
