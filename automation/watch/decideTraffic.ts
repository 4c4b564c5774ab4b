import type { PlanResult } from "../plans/steps";
import { isRefusal } from "../plans/steps";
import {
  drainedByController,
  planDrain,
  planHoldOut,
  planReadmit,
  readmitBlocker,
} from "../plans/failoverTraffic";
import type { GlobalClusterView } from "../ports";
import { relapsing } from "../health/tracker";
import { type TickContext, newId, startOrReport } from "./tickContext";

/**
 * A region already held out as unhealthy that turns out to be flapping stays out for the
 * cooldown: its note says so, for whoever reads the state (no stack update: it is out already).
 */
export function noteFlapping(ctx: TickContext): void {
  for (const [region, h] of Object.entries(ctx.inputs.memory.tracker)) {
    const rs = ctx.state.regions[region];
    if (rs === undefined || !rs.drained || !(ctx.view[region]?.heldOut ?? false) || h.heldOutUntil === null)
      continue;
    if (!drainedByController(rs.note) || (rs.note?.startsWith("flapping:") ?? false)) continue;
    const note = `flapping: held out until ${new Date(h.heldOutUntil).toISOString()}`;
    ctx.decisions.push({
      kind: "holdout",
      action: "recorded",
      summary: `${region} is flapping: ${note}`,
      region,
      effect: {
        do: "record",
        purpose: "flapping note",
        change: (s) =>
          s.regions[region]?.drained === true
            ? { ...s, regions: { ...s.regions, [region]: { ...s.regions[region], note } } }
            : null,
      },
    });
  }
}

/**
 * A region the controller took out comes back once it has stayed healthy this long: on average
 * longer than the flap window allows between transitions, so a flapping region is not readmitted
 * on each of its short recoveries.
 */
function stableMs(ctx: TickContext): number {
  return ctx.settings.flapWindowMs / ctx.settings.flapTransitions;
}

/**
 * Holds a flapping secondary out, drains an unhealthy one, or readmits a recovered region. True
 * when an operation starts.
 */
export function decideTraffic(ctx: TickContext, db: GlobalClusterView | null): boolean {
  const { config, now, memory } = ctx.inputs;
  const state = ctx.state;
  const view = ctx.view;
  const holdOut = (region: string, plan: PlanResult, why: string): boolean => {
    if (isRefusal(plan)) {
      ctx.decisions.push({
        kind: "holdout",
        action: "refused",
        summary: `${region} is ${why} but stays in traffic: ${plan.reason}`,
        rule: plan.rule,
        region,
      });
      return false;
    }
    return startOrReport(ctx, "holdout", plan, { region });
  };
  for (const [region, h] of Object.entries(memory.tracker)) {
    const rs = state.regions[region];
    if (rs === undefined || rs.drained || region === state.writer || !(view[region]?.heldOut ?? false))
      continue;
    const plan = planHoldOut(config, state, region, h.heldOutUntil ?? now, newId(ctx, "holdout"));
    if (holdOut(region, plan, "flapping")) return true;
  }
  for (const [region, h] of Object.entries(memory.tracker)) {
    const rs = state.regions[region];
    // The view, not the tracker: a region only this replica's probes fail is outvoted there.
    if (rs === undefined || rs.drained || region === state.writer || (view[region]?.healthy ?? h.healthy))
      continue;
    const plan = planDrain(config, state, region, h.failingSince ?? now, newId(ctx, "holdout"));
    if (holdOut(region, plan, "unhealthy")) return true;
  }
  for (const [region, rs] of Object.entries(state.regions)) {
    if (!(rs.drained || rs.excluded) || !drainedByController(rs.note)) continue;
    // Healthy again by its verdict, yet still failing now and then: a partial fault not over.
    const h = memory.tracker[region];
    if (h !== undefined && relapsing(h, ctx.settings.noiseErrorRate ?? 0)) continue;
    if (readmitBlocker(state, view, db, region, stableMs(ctx)) !== null) continue;
    const plan = planReadmit(config, state, view, db, region, newId(ctx, "readmit"), stableMs(ctx));
    if (isRefusal(plan)) continue;
    if (startOrReport(ctx, "readmit", plan, { region })) return true;
  }
  return false;
}
