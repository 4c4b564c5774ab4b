import type { OperationalState } from "../../components/operationalState";

export interface StateChange {
  readonly kind: string;
  readonly message: string;
  readonly region?: string;
}

function summaryOf(plan: unknown): string {
  if (typeof plan === "object" && plan !== null && "summary" in plan && typeof plan.summary === "string") {
    return plan.summary;
  }
  return "";
}

/**
 * The controller's decisions and progress, read off its state writes: operations and steps starting
 * and finishing, the writer moving, regions leaving or rejoining traffic, repairs queued and done.
 * Read from the document, so the timeline shows what the controller durably recorded.
 */
export function stateChanges(before: OperationalState | null, after: OperationalState): StateChange[] {
  const out: StateChange[] = [];
  const prevOp = before?.operation ?? null;
  const op = after.operation;
  if (op !== null && prevOp?.id !== op.id) {
    out.push({ kind: "operation-started", message: `${op.kind} ${op.id} started: ${summaryOf(op.plan)}` });
  }
  if (op !== null) {
    const prevSteps = prevOp?.id === op.id ? prevOp.steps : [];
    for (let i = 0; i < op.steps.length; i++) {
      const rec = op.steps[i];
      // A record the write left as it was is shared, frozen, with the document before: unchanged.
      if (prevSteps[i] === rec) continue;
      const was = prevSteps.find((p) => p.id === rec.id && p.index === rec.index);
      if (was === undefined && rec.finishedAt === null) {
        out.push({ kind: "step-started", message: `${op.id}: ${rec.id} started` });
      }
      if (rec.finishedAt !== null && (was === undefined || was.finishedAt === null)) {
        out.push({
          kind: "step-finished",
          message: `${op.id}: ${rec.id} ${rec.outcome ?? "done"}${rec.detail === null ? "" : `: ${rec.detail}`}`,
        });
      }
    }
    if (prevOp?.id === op.id && prevOp.phase !== op.phase) {
      out.push({
        kind: "operation-phase",
        message: `${op.id} is ${op.phase}${op.reason === null ? "" : `: ${op.reason}`}`,
      });
    }
  }
  // Most writes leave the history as it was: the same list, which holds nothing new.
  const sameHistory = before !== null && before.history === after.history;
  const known = new Set(sameHistory ? [] : (before?.history ?? []).map((h) => `${h.id}/${h.phase}`));
  for (const h of sameHistory ? [] : after.history) {
    if (!known.has(`${h.id}/${h.phase}`) && !(before?.history ?? []).some((b) => b.id === h.id)) {
      out.push({
        kind: "operation-finished",
        message: `${h.kind} ${h.id} ${h.phase}${h.reason === null ? "" : `: ${h.reason}`}`,
      });
    }
  }
  if (before !== null && before.writer !== after.writer) {
    out.push({
      kind: "state-writer",
      message: `the state names ${after.writer} the writer (was ${before.writer})`,
      region: after.writer,
    });
  }
  for (const [region, rs] of Object.entries(after.regions)) {
    const was = before?.regions[region];
    if (was === undefined) continue;
    if (was.drained !== rs.drained) {
      out.push({
        kind: rs.drained ? "region-drained" : "region-readmitted",
        message: rs.drained
          ? `${region} taken out of traffic${rs.note === null ? "" : ` (${rs.note})`}`
          : `${region} back in traffic`,
        region,
      });
    }
    if (was.excluded !== rs.excluded) {
      out.push({
        kind: rs.excluded ? "region-excluded" : "region-included",
        message: `${region} ${rs.excluded ? "left out of" : "back in"} stack updates`,
        region,
      });
    }
  }
  const queued = new Set((before?.replicationQueue ?? []).map((q) => q.region));
  const nowQueued = new Set(after.replicationQueue.map((q) => q.region));
  for (const q of after.replicationQueue) {
    if (!queued.has(q.region))
      out.push({
        kind: "repair-queued",
        message: `repair of ${q.region} queued: ${q.reason}`,
        region: q.region,
      });
  }
  for (const r of queued) {
    if (!nowQueued.has(r))
      out.push({ kind: "repair-resolved", message: `repair of ${r} resolved`, region: r });
  }
  for (const [region, sy] of Object.entries(after.sync)) {
    const was = before?.sync[region];
    if (sy.status === "error" && was?.status !== "error") {
      out.push({
        kind: "sync-error",
        message: `sync of ${region} failed: ${sy.lastError ?? "unknown"}; retry at ${sy.nextRunAt ?? "the next run"}`,
        region,
      });
    }
  }
  if (after.incidents.length > (before?.incidents.length ?? 0)) {
    for (const i of after.incidents.slice(before?.incidents.length ?? 0)) {
      out.push({
        kind: "incident-recorded",
        message: `the controller recorded a ${i.kind} from ${i.from} to ${i.to}`,
      });
    }
  }
  return out;
}
