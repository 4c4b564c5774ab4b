import { writerVerdict } from "./agreement";
import { decideFailover } from "./decideFailover";
import { decideTraffic, noteFlapping } from "./decideTraffic";
import {
  checkReplication,
  databaseWanted,
  decideDeferredStackUpdate,
  decideReconcile,
  decideRepair,
  decideSync,
  reportFailback,
} from "./decideUpkeep";
import { lostWriter } from "./lostWriter";
import { claimSlot } from "./operationSlot";
import { outcome, tickContext } from "./tickContext";
import type { TickInputs, TickOutcome } from "./tickInputs";
import { arcDetectionMs, quorumWriterVerdict, regionQuorum } from "./vantageVerdict";

/**
 * The watcher's decision for one tick, as data: a pure function of what the tick observed and
 * remembers. Each decision says what the watcher does (an effect: start a plan, stop or preempt a
 * running operation, record bookkeeping) or what a person should do; the runner does the I/O.
 *
 * Order: is the writer down (by agreement of Route 53 and the controller's probes, or, with several
 * watcher replicas, by a quorum of vantage points: quorum.ts)? Then the one
 * operation slot, where a failed writer preempts whatever runs (operationSlot.ts); then failover;
 * otherwise upkeep: replication queue, stack reconcile, hold-out and readmission, failback,
 * repairs, sync retries, at most one operation started.
 *
 * `needsDatabase` asks the runner to describe the global database and decide again: reading it
 * only when a rule needs it keeps calls (and API errors) where they were.
 */
export function decide(inputs: TickInputs): TickOutcome & { readonly needsDatabase: boolean } {
  const ctx = tickContext(inputs);
  const { config, samples } = inputs;
  const lost = lostWriter(inputs);
  if (lost !== null) {
    ctx.notes.push(
      `the global database's writer is ${lost}, which is down, while the state names ${ctx.state.writer}: failing over from ${lost}`,
    );
    ctx.state = { ...ctx.state, writer: lost };
  }
  const writer = ctx.state.writer;

  const health = inputs.memory.tracker[writer];
  const threshold = config.failover.failureThreshold;
  const verdict =
    inputs.vantage === undefined
      ? writerVerdict(health, threshold)
      : // Reports age by when decide runs: a replica that died mid-round stops voting by then.
        quorumWriterVerdict(
          regionQuorum(writer, health, inputs.vantage, threshold, inputs.decidedAt, arcDetectionMs(config)),
        );
  const writerDown = verdict.status === "down";
  // Health check ids may be filled in by the health source itself (from the stack's outputs), so
  // the samples, not the endpoints, say whether Route 53 answered.
  const probeOnly = samples.filter((s) => s.checkerFraction === null && s.probeOk !== null);
  if (probeOnly.length > 0) {
    ctx.notes.push(
      `no Route 53 checker data for ${probeOnly.map((s) => s.region).join(", ")} ` +
        `(no health check, or the Route 53 API failed): deciding on the direct probes alone; ${probeOnly[0].detail}`,
    );
  }
  if (verdict.status === "one-vantage") {
    ctx.decisions.push({
      kind: "escalate",
      action: "reported",
      summary:
        `writer ${writer} is not failed over: ${verdict.detail}. Clients still reach it; the fault is ` +
        `between this watcher and ${writer} (check the network path)`,
      region: writer,
      rule: "agreement-before-failover",
    });
  }
  if (!(ctx.view[writer]?.healthy === false) && (ctx.view[writer]?.heldOut ?? false)) {
    ctx.notes.push(
      `writer ${writer} is flapping; it stays the writer (an unplanned failover may lose data): ` +
        `consider \`regionctl switchover${ctx.stackFlag} --to REGION\``,
    );
  }

  if (claimSlot(ctx, writerDown) === "taken") return outcome(ctx);
  if (writerDown) {
    decideFailover(ctx);
    return outcome(ctx);
  }

  const db = databaseWanted(ctx);
  if (db.wanted && inputs.database === "unread") {
    ctx.needsDatabase = true;
    return outcome(ctx);
  }
  const database = inputs.database === "unread" ? null : inputs.database;
  if (database !== null && db.due) checkReplication(ctx, database);

  if (decideReconcile(ctx)) return outcome(ctx);
  if (decideDeferredStackUpdate(ctx)) return outcome(ctx);
  noteFlapping(ctx);
  if (decideTraffic(ctx, database)) return outcome(ctx);
  reportFailback(ctx, database);
  if (decideRepair(ctx)) return outcome(ctx);
  decideSync(ctx);
  return outcome(ctx);
}
