import type { Down } from "./regionDownGuard";
import { downNow } from "./regionDownGuard";
import type { StepContext } from "./stepContext";

/**
 * The regions a run must not call, read by every step through `StepContext.impaired`: stack
 * updates leave them out, a restore puts them back in the state only (their stack follows once the
 * watcher holds them out and readmits them, or its deferred update renders them).
 *
 * Two sources feed it. The watcher passes its verdict for the operations it runs
 * (`ExecutorOptions.impaired`). A person's run (a release, its abort, a switchover) has no watcher
 * beside it, so before a rollback step, or an update of every region, calls regions the run looks
 * at them itself, one round judged as the region-down guard judges (Route 53's checkers and the
 * direct probe both fail), and keeps those it saw down for the rest of the run: a region that
 * failed does not come back in the seconds a rollback takes, and calling it again would only time
 * out there.
 */
export class ImpairedView {
  private readonly seen = new Map<string, string>();

  constructor(private readonly verdict: (() => readonly string[]) | undefined) {}

  /** Failing now: the watcher's verdict and what this run saw down. */
  now(): readonly string[] {
    return [...new Set([...(this.verdict?.() ?? []), ...this.seen.keys()])];
  }

  /** Observes `regions` not already known impaired; returns those newly seen down. */
  async look(ctx: StepContext, regions: readonly string[]): Promise<readonly Down[]> {
    const known = new Set(this.now());
    const down = await downNow(
      ctx,
      regions.filter((r) => !known.has(r)),
    );
    for (const d of down) this.seen.set(d.region, d.detail);
    return down;
  }
}
