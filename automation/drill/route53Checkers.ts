import { ROUTE53_HEALTHY_FRACTION } from "../health/sampleVerdict";
import { draw, drawer } from "./random";

/** What one probe of an endpoint meets at an instant. */
export interface ProbeConditions {
  readonly reachable: boolean;
  /** Chance that a request (and a health probe) fails. */
  readonly errorRate: number;
  /** Server-side response time. */
  readonly latencyMs: number;
}

export interface CheckerSettings {
  readonly seed: number;
  readonly checkers: number;
  readonly intervalMs: number;
  readonly failureThreshold: number;
  /** Route 53 gives a check 4 s to connect and 2 s to respond. */
  readonly timeoutMs: number;
}

/** Probes from `from` on meet the same conditions: asked once per evaluation. */
interface Steady {
  readonly from: number;
  cond: ProbeConditions | null;
}

interface CheckerState {
  /** Index of the next probe to evaluate. */
  next: number;
  healthy: boolean;
  streak: number;
  /** When `healthy` last changed (ms), for timelines. */
  changedAt: number;
}

/**
 * One endpoint's Route 53 health checkers. Each checker probes every interval from its own
 * location (its own network delay and phase) and changes its verdict after `failureThreshold`
 * consecutive results the other way. The endpoint is healthy while more than 18 % of checkers
 * see it healthy. Evaluated lazily up to the instant asked, so idle stretches cost nothing.
 */
export class EndpointCheckers {
  private readonly states: CheckerState[];
  private readonly networkMs: number[];
  private readonly phaseMs: number[];
  private readonly drawProbe: ((n: number) => number)[];
  /** When the earliest checker probes next: before then, the last count still holds. */
  private dueAt = Number.NEGATIVE_INFINITY;
  private healthyCount = 0;

  constructor(
    private readonly name: string,
    private readonly settings: CheckerSettings,
    private readonly startMs: number,
    private readonly conditionsAt: (ms: number) => ProbeConditions,
    /** From when on the endpoint meets the same conditions until the world changes, or null (it flaps). */
    private readonly steadyFrom: () => number | null = () => null,
  ) {
    this.states = [];
    this.networkMs = [];
    this.phaseMs = [];
    this.drawProbe = [];
    for (let c = 0; c < settings.checkers; c++) {
      this.drawProbe.push(drawer(settings.seed, "chk", name, c));
      this.states.push({ next: 0, healthy: true, streak: 0, changedAt: startMs });
      // Checkers sit in different AWS regions: 20-300 ms away from the endpoint.
      this.networkMs.push(20 + Math.floor(draw(settings.seed, "net", name, c) * 280));
      this.phaseMs.push(Math.floor((c * settings.intervalMs) / settings.checkers));
    }
  }

  /** Fraction of checkers that see the endpoint healthy at `ms`. */
  fractionAt(ms: number): number {
    if (ms < this.dueAt) return this.healthyCount / this.states.length;
    let healthy = 0;
    let due = Number.POSITIVE_INFINITY;
    const steady: Steady = { from: this.steadyFrom() ?? Number.POSITIVE_INFINITY, cond: null };
    for (let c = 0; c < this.states.length; c++) {
      const s = this.advance(c, ms, steady);
      if (s.healthy) healthy++;
      due = Math.min(due, this.probeAt(c, s.next));
    }
    this.healthyCount = healthy;
    this.dueAt = due;
    return healthy / this.states.length;
  }

  private probeAt(c: number, n: number): number {
    return this.startMs + this.phaseMs[c] + n * this.settings.intervalMs;
  }

  healthyAt(ms: number): boolean {
    return this.fractionAt(ms) > ROUTE53_HEALTHY_FRACTION;
  }

  private advance(c: number, ms: number, steady: Steady): CheckerState {
    const s = this.states[c];
    const { failureThreshold, timeoutMs } = this.settings;
    for (;;) {
      const at = this.probeAt(c, s.next);
      if (at > ms) return s;
      let cond: ProbeConditions;
      if (at < steady.from) cond = this.conditionsAt(at);
      else cond = steady.cond ??= this.conditionsAt(at);
      const ok =
        cond.reachable &&
        cond.latencyMs + this.networkMs[c] <= timeoutMs &&
        this.drawProbe[c](s.next) >= cond.errorRate;
      if (ok === s.healthy) {
        s.streak = 0;
      } else if (++s.streak >= failureThreshold) {
        s.healthy = ok;
        s.streak = 0;
        s.changedAt = at;
      }
      s.next++;
    }
  }
}
