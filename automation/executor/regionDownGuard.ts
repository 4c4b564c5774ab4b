import type { EnvironmentConfig } from "../../components/config";
import type { OperationalState } from "../../components/operationalState";
import { regionEndpoints } from "../gates/endpoints";
import { observeBefore } from "../gates/healthGate";
import { ROUTE53_HEALTHY_FRACTION } from "../health/sampleVerdict";
import type { Step } from "../plans/steps";
import type { HealthSample } from "../ports";
import { type StepContext, type StepOutcome, paused } from "./stepContext";

/**
 * A release never calls a region that is down. In auto mode the watcher preempts a release whose
 * region goes down, at its verdict, before the release calls it. In manual mode nobody does: the
 * release itself looks before each step that calls a region and beside its long gates, and when a
 * region it would call is down it pauses where it is, for a person, instead of updating the region,
 * querying its metrics, waiting out a gate on it, or rolling back through it.
 *
 * Down means what the watcher's hold-out means: Route 53's checkers (many vantage points) call the
 * region unhealthy and the direct probe fails too. A build that fails some requests is not down:
 * its gates judge it and its rollback reaches the region.
 */

const PAUSE_PREFIX = "region down: ";

/**
 * A person's operations in manual mode guard themselves: a release, and a writer move (whose
 * rollback would otherwise put traffic back through a writer that died under it). In auto mode the
 * watcher preempts them.
 */
const GUARDED_KINDS: ReadonlySet<string> = new Set(["deploy", "rollback", "switchover", "failback"]);

export function guardsRegions(config: EnvironmentConfig, kind: string): boolean {
  return config.failover.mode === "manual" && GUARDED_KINDS.has(kind);
}

/** A pause this guard caused: `promote` runs the paused step again rather than passing it. */
export function isRegionDownPause(detail: string | null | undefined): boolean {
  return detail?.startsWith(PAUSE_PREFIX) ?? false;
}

export function regionDownPause(down: readonly Down[], doing: string): StepOutcome {
  const names = down.map((d) => d.region).join(", ");
  return paused(
    `${PAUSE_PREFIX}${down.map((d) => `${d.region} (${d.detail})`).join("; ")}: ${doing} would call ${names}, so the release stops here and calls ${down.length === 1 ? "it" : "them"} no more. Waiting for a person: \`regionctl promote\` checks again and goes on once ${names} ${down.length === 1 ? "is" : "are"} back, \`regionctl abort\` rolls back`,
  );
}

export interface Down {
  readonly region: string;
  readonly detail: string;
}

/** Down by both signals; a signal that did not answer abstains only if the other one answered. */
export function sampleDown(sample: HealthSample): boolean {
  const checkersDown = sample.checkerFraction !== null && sample.checkerFraction <= ROUTE53_HEALTHY_FRACTION;
  return checkersDown && sample.probeOk !== true;
}

/**
 * The regions a step calls: a stack update's targets (every region it does not leave out), a
 * gate's, a restore's, the region a writer move waits on.
 */
export function regionsCalled(step: Step, state: OperationalState): readonly string[] {
  const all = Object.keys(state.regions);
  switch (step.kind) {
    case "stackUpdate": {
      const excluded = new Set([...(step.excludes ?? []), ...all.filter((r) => state.regions[r].excluded)]);
      return (step.targets ?? all).filter((r) => !excluded.has(r));
    }
    case "healthGate":
      return step.regions;
    case "analysis":
      return [step.canaryRegion, ...step.baselineRegions];
    case "restore":
      return step.regions.filter((r) => !state.regions[r]?.excluded);
    case "awaitWriter":
      // It asks the target's own database endpoint whether it took the writes.
      return [step.region];
    default:
      return [];
  }
}

/**
 * Whether `region` serves the build of the operation in flight (all or a canary share): its
 * failures are the release's gates to judge, and the release's rollback reaches it. A region only
 * staged, or not moved at all, still serves the build from before, which fails next to never.
 */
export function servesTheRelease(state: OperationalState, region: string): boolean {
  const before = state.operation?.before[region];
  const now = state.regions[region];
  return (
    before !== undefined &&
    now !== undefined &&
    (now.version !== before.version || now.canaryWeight !== before.canaryWeight)
  );
}

/**
 * The watcher's agreement, over several rounds: the probe failed `failureThreshold` rounds in a row,
 * and Route 53's checkers now see the region failing too (or its API did not answer).
 */
export function agreedDown(probeFailures: number, last: HealthSample, failureThreshold: number): boolean {
  return probeFailures >= failureThreshold && (last.checkerFraction === null || last.checkerFraction < 1);
}

/**
 * One observation round of `regions`: those down now. A region in `unmoved` runs the build that
 * served before the release, which fails next to never: one failed probe there, with Route 53's
 * checkers starting to see it too, is an outage under way, not noise, and is enough.
 */
export async function downNow(
  ctx: StepContext,
  regions: readonly string[],
  unmoved: ReadonlySet<string> = new Set(),
): Promise<Down[]> {
  return downIn(await observeRegions(ctx, regions), unmoved);
}

/** Pure: the regions `samples` show down (see downNow). */
export function downIn(samples: readonly HealthSample[], unmoved: ReadonlySet<string>): Down[] {
  return samples
    .filter((s) => sampleDown(s) || (unmoved.has(s.region) && agreedDown(1, s, 1)))
    .map((s) => ({ region: s.region, detail: s.detail }));
}

export function observeRegions(ctx: StepContext, regions: readonly string[]): Promise<HealthSample[]> {
  if (regions.length === 0) return Promise.resolve([]);
  return observeBefore(
    { health: ctx.ports.health, clock: ctx.ports.clock, signal: ctx.signal },
    regionEndpoints(ctx.config, regions),
    ctx.config.dns.healthCheck.intervalSeconds * 1000,
  );
}

/**
 * Runs `body` while `regions` are observed every check interval; a region failing
 * `failureThreshold` rounds in a row by both signals (the watcher's agreement) stops the body and
 * pauses the release. A region in `serving` runs the release's build, which may fail requests: it
 * counts only once Route 53 calls it unhealthy (the 18 % rule), as the watcher's hold-out does.
 */
export async function runWatchingRegions(
  ctx: StepContext,
  regions: readonly string[],
  doing: string,
  body: (ctx: StepContext) => Promise<StepOutcome>,
  /** Failed probes already seen in a row (the look before the step), per region. */
  seen: readonly HealthSample[] = [],
  serving: ReadonlySet<string> = new Set(),
): Promise<StepOutcome> {
  const trip = new AbortController();
  const done = new AbortController();
  const signal = AbortSignal.any([ctx.signal, trip.signal]);
  let tripped: Down[] | null = null;
  const watch = (async () => {
    const { clock } = ctx.ports;
    const intervalMs = ctx.config.dns.healthCheck.intervalSeconds * 1000;
    const rounds = new Map(seen.map((x) => [x.region, x.probeOk === false ? 1 : 0]));
    const stop = AbortSignal.any([signal, done.signal]);
    let next = clock.now();
    while (!stop.aborted) {
      try {
        // One round per check interval, however long a dead region's probe took to time out.
        next += intervalMs;
        await clock.sleep(Math.max(next - clock.now(), 0), stop);
        const samples = await observeRegions({ ...ctx, signal: stop }, regions);
        for (const r of regions) {
          const failedNow = samples.some((x) => x.region === r && x.probeOk === false);
          rounds.set(r, failedNow ? (rounds.get(r) ?? 0) + 1 : 0);
        }
        const confirmed = samples
          .filter(
            (x) =>
              agreedDown(rounds.get(x.region) ?? 0, x, ctx.config.failover.failureThreshold) &&
              (!serving.has(x.region) || sampleDown(x)),
          )
          .map((x) => ({ region: x.region, detail: x.detail }));
        if (confirmed.length > 0) {
          tripped = confirmed;
          trip.abort(new Error(`${confirmed.map((d) => d.region).join(", ")} down`));
          return;
        }
      } catch {
        // Stopped (the step ended) or the health source failed; a failed round proves nothing.
        if (stop.aborted) return;
      }
    }
  })();
  try {
    const outcome = await body({ ...ctx, signal });
    return tripped !== null && outcome.status !== "ok" ? regionDownPause(tripped, doing) : outcome;
  } catch (err) {
    if (tripped !== null && !ctx.signal.aborted) return regionDownPause(tripped, doing);
    throw err;
  } finally {
    done.abort();
    await watch;
  }
}
