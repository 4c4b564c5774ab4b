import type { Clock } from "../ports";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** The drill clock starts at a fixed instant so reports never depend on the wall clock. */
export const DRILL_EPOCH_MS = Date.UTC(2025, 0, 1);

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("the operation was aborted");
  err.name = "AbortError";
  return err;
}

/** Consecutive immediates with no new timer that count as idle. */
const QUIET_ROUNDS = 3;

/** Whether an immediate other than the one running now is queued. */
function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes("Immediate");
}

/** Lets every queued microtask and immediate run, so the code under test reaches its next sleep. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A discrete-event clock: `sleep` registers a timer, and time moves only when the runner advances
 * it, to the next timer, once all pending work is idle. Timers at the same instant fire in the
 * order they were set, one at a time, so a run is deterministic.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers: Timer[] = [];
  /** Bumped whenever a timer is set, so `settle` can tell whether work is still moving. */
  private activity = 0;

  constructor(startMs: number = DRILL_EPOCH_MS) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Seconds since the clock started at the drill epoch. */
  seconds(): number {
    return (this.current - DRILL_EPOCH_MS) / 1000;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.cancel(timer);
        reject(abortError(signal as AbortSignal));
      };
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.insert(timer);
    });
  }

  /** Runs `fn` at `atMs` on the drill clock (scenario events, simulated completions). */
  schedule(atMs: number, fn: () => void): void {
    this.insert({ at: Math.max(atMs, this.current), seq: this.seq++, fire: fn });
  }

  /** When the next timer fires, or null when none is pending. */
  nextAt(): number | null {
    return this.timers.length === 0 ? null : this.timers[0].at;
  }

  pending(): number {
    return this.timers.length;
  }

  /**
   * Lets pending work run until it is idle: waiting on a timer or finished. Every queued microtask
   * runs before an immediate does; work that hops through immediates is waited for as long as it
   * keeps setting timers, and for QUIET_ROUNDS immediates after the last one.
   */
  async idle(): Promise<void> {
    let quiet = 0;
    for (let rounds = 0; rounds < 10_000 && quiet < QUIET_ROUNDS; rounds++) {
      const before = this.activity;
      await settle();
      // Work that only awaits promises has run to its next sleep by the time an immediate fires:
      // unless someone else's immediate is still queued, nothing can wake without a timer.
      if (!immediatePending()) return;
      quiet = this.activity === before ? quiet + 1 : 0;
    }
  }

  /**
   * Fires the next timer (after `beforeAdvance(from, to)` sees the quiet interval) and waits until
   * the work it woke is idle again. Returns false when no timer is pending or the next one is later
   * than `limitMs`.
   */
  async step(limitMs: number, beforeAdvance?: (fromMs: number, toMs: number) => void): Promise<boolean> {
    const next = this.timers[0];
    if (next === undefined || next.at > limitMs) return false;
    if (next.at > this.current) {
      beforeAdvance?.(this.current, next.at);
      this.current = next.at;
    }
    this.timers.shift();
    next.fire();
    await this.idle();
    return true;
  }

  /** Moves the clock forward with no timer (the end of a drill). */
  advanceTo(ms: number): void {
    if (ms > this.current) this.current = ms;
  }

  private insert(timer: Timer): void {
    this.activity++;
    // Timers are few and mostly appended near the end: a binary search keeps (at, seq) order.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = this.timers[mid];
      if (t.at < timer.at || (t.at === timer.at && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  private cancel(timer: Timer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
    this.activity++;
  }
}
