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

interface CheckerState {
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
 *
 * The checkers' phases are spread over one interval in checker order, so all probes form one
 * sequence in time: checker 0..n-1 of round 0, then of round 1, and so on. Evaluating up to an
 * instant walks that sequence from where it stopped, touching only the probes due.
 */
export class EndpointCheckers {
  private readonly states: CheckerState[];
  private readonly networkMs: number[];
  private readonly phaseMs: number[];
  private readonly drawProbe: ((n: number) => number)[];
  /** The next probe to evaluate, as an index into the sequence of all checkers' probes. */
  private nextProbe = 0;
  /** When that probe runs: asked every simulated second, so kept rather than computed. */
  private nextProbeAt: number;
  private healthyCount: number;

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
      this.states.push({ healthy: true, streak: 0, changedAt: startMs });
      // Checkers sit in different AWS regions: 20-300 ms away from the endpoint.
      this.networkMs.push(20 + Math.floor(draw(settings.seed, "net", name, c) * 280));
      this.phaseMs.push(Math.floor((c * settings.intervalMs) / settings.checkers));
    }
    this.healthyCount = settings.checkers;
    this.nextProbeAt = this.probeAt(0);
  }

  /** Fraction of checkers that see the endpoint healthy at `ms`. */
  fractionAt(ms: number): number {
    const checkers = this.states.length;
    if (this.nextProbeAt <= ms) {
      const { failureThreshold, timeoutMs } = this.settings;
      const steadyFrom = this.steadyFrom() ?? Number.POSITIVE_INFINITY;
      let steady: ProbeConditions | null = null;
      for (let at = this.probeAt(this.nextProbe); at <= ms; at = this.probeAt(++this.nextProbe)) {
        const c = this.nextProbe % checkers;
        const round = Math.floor(this.nextProbe / checkers);
        const s = this.states[c];
        const cond = at < steadyFrom ? this.conditionsAt(at) : (steady ??= this.conditionsAt(at));
        const ok =
          cond.reachable &&
          cond.latencyMs + this.networkMs[c] <= timeoutMs &&
          this.drawProbe[c](round) >= cond.errorRate;
        if (ok === s.healthy) {
          s.streak = 0;
        } else if (++s.streak >= failureThreshold) {
          s.healthy = ok;
          s.streak = 0;
          s.changedAt = at;
          this.healthyCount += ok ? 1 : -1;
        }
      }
      this.nextProbeAt = this.probeAt(this.nextProbe);
    }
    return this.healthyCount / checkers;
  }

  /** When probe `i` of the sequence runs: checker `i mod n`, in round `i div n`. */
  private probeAt(i: number): number {
    const checkers = this.states.length;
    return this.startMs + this.phaseMs[i % checkers] + Math.floor(i / checkers) * this.settings.intervalMs;
  }

  healthyAt(ms: number): boolean {
    return this.fractionAt(ms) > ROUTE53_HEALTHY_FRACTION;
  }
}
