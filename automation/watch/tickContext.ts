import type { OperationalState } from "../../components/operationalState";
import { type HealthView, healthView } from "../health/healthView";
import { type HealthSettings, healthSettings } from "../health/settings";
import type { Decision, DecisionKind, FollowUp } from "./decision";
import type { Plan } from "../plans/steps";
import type { Attention, TickInputs, TickOutcome } from "./tickInputs";
import { arcDetectionMs, outvotedView } from "./vantageVerdict";
import { type WatchMemory, nextOperationId } from "./watchMemory";

/**
 * The working set of one decide call. It is mutated while deciding (decisions appended, ids
 * counted) but never escapes: decide returns a frozen TickOutcome, so decide stays a function of
 * its inputs.
 */
export interface TickContext {
  readonly inputs: TickInputs;
  readonly settings: HealthSettings;
  readonly view: HealthView;
  readonly auto: boolean;
  /** ` --stack NAME` for the printed commands, or "". */
  readonly stackFlag: string;
  /** The state as decide knows it, including changes it recorded this tick. */
  state: OperationalState;
  memory: WatchMemory;
  readonly decisions: Decision[];
  readonly notes: string[];
  attention: Attention;
  /** Set when decide needs the database described before it can go on. */
  needsDatabase: boolean;
}

export function tickContext(inputs: TickInputs): TickContext {
  return {
    inputs,
    settings: healthSettings(inputs.config),
    view:
      inputs.vantage === undefined
        ? healthView(inputs.memory.tracker, inputs.now)
        : outvotedView(
            healthView(inputs.memory.tracker, inputs.now),
            inputs.memory.tracker,
            inputs.vantage,
            inputs.config.failover.failureThreshold,
            inputs.decidedAt,
            arcDetectionMs(inputs.config),
          ),
    auto: inputs.config.failover.mode === "auto",
    stackFlag: inputs.stack === undefined ? "" : ` --stack ${inputs.stack}`,
    state: inputs.state,
    memory: inputs.memory,
    decisions: [],
    notes: [],
    attention: "none",
    needsDatabase: false,
  };
}

export function newId(ctx: TickContext, kind: string): string {
  const next = nextOperationId(ctx.memory, kind, ctx.inputs.now);
  ctx.memory = next.memory;
  return next.id;
}

/** Raises what a person must do: a failure outranks waiting, waiting outranks nothing. */
export function needs(ctx: TickContext, attention: Attention): void {
  if (attention === "failed" || (attention === "waiting" && ctx.attention === "none"))
    ctx.attention = attention;
}

export function outcome(ctx: TickContext): TickOutcome & { readonly needsDatabase: boolean } {
  return {
    decisions: [...ctx.decisions],
    notes: [...ctx.notes],
    memory: ctx.memory,
    attention: ctx.attention,
    state: ctx.state,
    needsDatabase: ctx.needsDatabase,
  };
}

/**
 * Starts `plan` in auto mode; in manual mode only reports it, for a person to run. True when it
 * starts. `why` is added to the manual-mode report.
 */
export function startOrReport(
  ctx: TickContext,
  kind: DecisionKind,
  plan: Plan,
  options: { readonly region?: string; readonly why?: string; readonly after?: FollowUp } = {},
): boolean {
  const region = options.region === undefined ? {} : { region: options.region };
  if (!ctx.auto) {
    const why = options.why === undefined ? "" : `; ${options.why}`;
    ctx.decisions.push({
      kind,
      action: "reported",
      summary: `manual mode: ${plan.summary} (not done${why})`,
      ...region,
      plan,
    });
    return false;
  }
  ctx.decisions.push({
    kind,
    action: "started",
    summary: plan.summary,
    ...region,
    operationId: plan.id,
    plan,
    effect: { do: "start", plan, ...(options.after === undefined ? {} : { after: options.after }) },
  });
  return true;
}
