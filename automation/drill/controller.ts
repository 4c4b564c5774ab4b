import { nextRoundAt, nextSlotAt } from "../watch/tickSchedule";
import type { Strategy } from "../../components/config";
import { reconcileState } from "../../components/operationalState";
import { EXIT_FAILED, exitCodeForOutcome, exitCodeForRefusal } from "../errors";
import {
  type ExecutorOptions,
  type OperationResult,
  OperationStateError,
  abortOperation,
  promoteOperation,
  runPlan,
} from "../executor";
import { healthView, regionAvailable } from "../health/healthView";
import { planFailback } from "../plans/failback";
import { planPromotion } from "../plans/promotion";
import { type Plan, type Refusal, isRefusal } from "../plans/steps";
import { planSwitchover } from "../plans/switchover";
import { type GlobalClusterView, LeaseHeldError } from "../ports";
import {
  type Decision,
  type TickReport,
  type Watcher,
  type WatcherOptions,
  createWatcher,
} from "../watch/watcher";
import { sequence } from "./random";
import type { SimCloud } from "./simCloud";
import type { InvariantChecker } from "./invariants";
import type { SimPorts } from "./simPorts";
import { WatcherReplicas } from "./watcherReplicas";

/** A plan rewrite the benchmark's baseline passes in (sequential failover steps). */
export type PlanTransform = (plan: Plan) => Plan;

const WATCHER = "drill-watcher";
const OPERATOR = "drill-operator";
/** How often a person's command looks for an abort or a preemption in the state, as the CLI does. */
const OPERATOR_POLL_MS = 1000;
/** A person whose command was refused because another operation runs tries again this often. */
const RETRY_SECONDS = 60;
const RETRIES = 30;

/**
 * The controller under drill: the real watcher, planners and executor, on the simulated ports. The
 * watcher ticks on its own (every health check interval); the scenario's planned operations are
 * what a person would run (`regionctl deploy`, `switchover`, `failback`, `abort`, `promote`).
 */
export class DrillController {
  /** The lone watcher, when the scenario places no control plane. */
  private readonly lone: Watcher | null;
  /** One watcher per region of `controlPlane.watchers`, one leading. */
  readonly replicas: WatcherReplicas | null;
  /** Decisions as tags (`failover:reported`), for the scenario's expectations. */
  readonly decisionTags = new Set<string>();
  /** Operations that threw instead of ending with a recorded outcome. */
  readonly errors: { id: string; message: string }[] = [];
  private readonly pending = new Set<Promise<void>>();
  private lastDecisions = new Map<string, string>();
  private stopped = false;
  private opSeq = 0;
  /** A person's commands still running or waiting to retry. */
  private commands = 0;

  constructor(
    private readonly cloud: SimCloud,
    private readonly ports: SimPorts,
    transform: PlanTransform | null,
    checker: InvariantChecker,
  ) {
    const options: WatcherOptions & { readonly transformPlan?: PlanTransform } = {
      config: cloud.config,
      ports,
      holder: WATCHER,
      stack: "drill",
      random: sequence(cloud.seed),
      ...(transform === null ? {} : { transformPlan: transform }),
    };
    if (cloud.placement.placed) {
      this.lone = null;
      this.replicas = new WatcherReplicas(
        cloud,
        ports,
        checker,
        { stack: "drill", ...(transform === null ? {} : { transformPlan: transform }) },
        (p, id) => this.track(p, id),
        (_region, report, leading) => {
          if (leading) this.logTick(report);
        },
      );
    } else {
      this.lone = createWatcher(options);
      this.replicas = null;
    }
  }

  /** The watcher a person's command consults: the lone one, or the leading replica's. */
  get watcher(): Watcher | null {
    return this.lone ?? this.replicas?.watcher ?? null;
  }

  /**
   * Ticks the watcher at a fixed rate, one health check interval apart, until `stop`. A tick that
   * waited on a probe timeout does not push the next one back; one that overran its slot is
   * followed at once (nextRoundAt).
   */
  startWatcher(): void {
    if (this.replicas !== null) {
      this.replicas.start();
      return;
    }
    const lone = this.lone as Watcher;
    const clock = this.cloud.clock;
    const interval = this.cloud.scenario.healthCheck.intervalSeconds * 1000;
    this.track(
      (async () => {
        let next = clock.now();
        while (!this.stopped) {
          const report = await lone.tick();
          this.logTick(report);
          if (this.stopped) break;
          next = (this.cloud.options.skipOverrunSlots === true ? nextSlotAt : nextRoundAt)(
            next,
            interval,
            clock.now(),
          );
          await clock.sleep(next - clock.now());
        }
      })(),
      "watcher",
    );
  }

  /** No more ticks; operations in flight run to their end. */
  stop(): void {
    this.stopped = true;
    this.replicas?.stop();
  }

  /** Resolves when the watcher loop and every operation started have ended. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.lone?.settled();
    await this.replicas?.settled();
  }

  /** An operation (the watcher's or a person's) is still running. */
  busy(): boolean {
    if (this.replicas !== null) return this.replicas.running() || this.commands > 0;
    return this.pending.size > 1 || this.lone?.running != null;
  }

  track(p: Promise<void>, id: string): void {
    const wrapped = p.catch((err: unknown) => {
      this.errors.push({ id, message: err instanceof Error ? err.message : String(err) });
    });
    this.pending.add(wrapped);
    void wrapped.finally(() => this.pending.delete(wrapped));
  }

  private logTick(report: TickReport): void {
    const seen = new Set<string>();
    for (const d of report.decisions) {
      const key = `${d.kind}/${d.region ?? ""}`;
      seen.add(key);
      const text = this.decisionText(d, report.exitCode);
      if (this.lastDecisions.get(key) === text) continue;
      this.lastDecisions.set(key, text);
      if (d.action === "deferred") continue;
      this.decisionTags.add(`${d.kind}:${d.action}`);
      this.cloud.recorder.log("controller", "decision", text, d.region);
    }
    for (const key of [...this.lastDecisions.keys()]) if (!seen.has(key)) this.lastDecisions.delete(key);
    for (const e of report.events) {
      this.cloud.recorder.log("controller", `health-${e.kind}`, `watcher: ${e.region} ${e.kind}`, e.region);
    }
  }

  private decisionText(d: Decision, exitCode: number): string {
    const tail = [
      d.rule === undefined ? null : `rule ${d.rule}`,
      d.command === undefined ? null : `run: ${d.command}`,
      d.action === "reported" && exitCode !== 0 ? `exit ${exitCode}` : null,
    ]
      .filter((x) => x !== null)
      .join("; ");
    return `${d.kind} ${d.action}: ${d.summary}${tail === "" ? "" : ` (${tail})`}`;
  }

  // ------------------------------------------------------------------------------------------
  // What a person runs

  deploy(version: string, strategy: Strategy | undefined): void {
    this.operate(`deploy ${version}`, async () => {
      const stored = await this.ports.state.read();
      return planPromotion(this.cloud.config, stored?.state ?? null, version, {
        strategy,
        id: `deploy-${version}-${++this.opSeq}`,
      });
    });
  }

  switchover(to: string): void {
    this.operate(`switchover to ${to}`, async () => {
      const { state, health, database } = await this.view();
      const d = planSwitchover({
        config: this.cloud.config,
        state,
        health,
        database,
        to,
        id: `switchover-${++this.opSeq}`,
      });
      return d.refused ? d : d.plan;
    });
  }

  failback(): void {
    this.operate("failback", async () => {
      const { state, health, database } = await this.view();
      const d = planFailback({
        config: this.cloud.config,
        state,
        health,
        database,
        id: `failback-${++this.opSeq}`,
      });
      return d.refused ? d : d.plan;
    });
  }

  /** `regionctl abort`: rolls back the operation in flight, whoever runs it; with none, a no-op. */
  abort(): void {
    this.command("abort", (options) => abortOperation(options));
  }

  /** `regionctl promote [--full]`: continues a paused operation; with none paused, a no-op. */
  promote(full: boolean): void {
    this.command(full ? "promote --full" : "promote", (options) => promoteOperation(options, full));
  }

  /**
   * Runs a command on the operation in flight once, as the CLI does: nothing to act on, or a lease
   * another run holds, is reported (exit 1) and changes nothing.
   */
  private command(what: string, run: (options: ExecutorOptions) => Promise<OperationResult>): void {
    const rec = this.cloud.recorder;
    this.track(
      (async () => {
        rec.log("controller", "command", `operator runs ${what}`);
        let result: OperationResult;
        try {
          result = await run({
            config: this.cloud.config,
            ports: this.ports,
            holder: OPERATOR,
            abortPollMs: OPERATOR_POLL_MS,
          });
        } catch (err) {
          if (!(err instanceof OperationStateError) && !(err instanceof LeaseHeldError)) throw err;
          this.decisionTags.add(`${what.split(" ")[0]}:noop`);
          rec.log(
            "controller",
            "command-result",
            `${what}: nothing done: ${err.message} (exit ${EXIT_FAILED})`,
          );
          return;
        }
        rec.log(
          "controller",
          "command-result",
          `${what}: ${result.operationId} ${result.outcome}${result.reason === undefined ? "" : ` (${result.reason})`}${exitNote(result, what)}`,
        );
      })(),
      what,
    );
  }

  /** What a command sees before planning: the stored state, the watcher's health verdicts, the database. */
  private async view() {
    const stored = await this.ports.state.read();
    const state = reconcileState(this.cloud.config, stored?.state ?? null);
    const tracker = this.watcher?.tracker ?? {};
    const health = healthView(tracker, this.cloud.clock.now());
    let database: GlobalClusterView | null = null;
    for (const via of [state.writer, ...this.cloud.regions]) {
      if (!regionAvailable(health, via)) continue;
      try {
        database = await this.ports.database.describe(via);
        break;
      } catch {
        // the next healthy region's endpoint
      }
    }
    return { state, health, database };
  }

  /** Plans and runs a person's command; refused for a busy environment, it is tried again later. */
  private operate(what: string, plan: () => Promise<Plan | Refusal>): void {
    const rec = this.cloud.recorder;
    this.commands++;
    this.track(
      (async () => {
        for (let attempt = 1; attempt <= RETRIES; attempt++) {
          const p = await plan();
          const busy = isRefusal(p) && p.rule === "one-operation-at-a-time";
          if (isRefusal(p) && !busy) {
            this.decisionTags.add(`${what.split(" ")[0]}:refused`);
            rec.log(
              "controller",
              "decision",
              `${what} refused (rule ${p.rule}): ${p.reason} (exit ${exitCodeForRefusal(p.rule)})`,
            );
            return;
          }
          if (!isRefusal(p)) {
            let result: OperationResult | null = null;
            try {
              rec.log("controller", "command", `operator runs ${what}`);
              result = await runPlan(p, {
                config: this.cloud.config,
                ports: this.ports,
                holder: OPERATOR,
                abortPollMs: OPERATOR_POLL_MS,
              });
            } catch (err) {
              if (
                !(err instanceof LeaseHeldError) &&
                !(err instanceof Error && err.name === "OperationStateError")
              )
                throw err;
            }
            if (result !== null) {
              rec.log(
                "controller",
                "command-result",
                `${what}: ${result.outcome}${result.reason === undefined ? "" : ` (${result.reason})`}${exitNote(result, what)}`,
              );
              return;
            }
          }
          rec.log(
            "controller",
            "command-busy",
            `${what} waits: another operation is in flight (try ${attempt} of ${RETRIES})`,
          );
          await this.cloud.clock.sleep(RETRY_SECONDS * 1000);
        }
      })().finally(() => this.commands--),
      what,
    );
  }
}

/** What the person's command would have exited with, when not 0 (the CLI's table). */
function exitNote(result: OperationResult, what: string): string {
  const code = exitCodeForOutcome(result.outcome, what.split(" ")[0]);
  return code === 0 ? "" : ` (exit ${code})`;
}
