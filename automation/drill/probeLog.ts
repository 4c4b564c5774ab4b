import type { HealthSample } from "../ports";

/** One direct probe's answer as a watcher got it: when it arrived, and whether it was ok. */
export interface ProbeAnswer {
  /** When the answer arrived (ms): a probe that times out is known to have failed only then. */
  readonly atMs: number;
  readonly ok: boolean;
  /**
   * Whether Route 53's checkers saw the region failing when the probe left (some of them, or its
   * verdict); null when its API did not answer.
   */
  readonly route53Failing: boolean | null;
}

/**
 * Every direct probe answer the controller got, per region and per vantage (the watcher replica
 * it left from): what any controller probing the same way could have known, and when. The floor
 * of a partial fault reads it.
 */
export class ProbeLog {
  private readonly answers = new Map<string, Map<string, ProbeAnswer[]>>();

  record(sample: HealthSample, vantage: string | undefined, answeredAtMs: number): void {
    if (sample.probeOk === null) return;
    let byVantage = this.answers.get(sample.region);
    if (byVantage === undefined) {
      byVantage = new Map();
      this.answers.set(sample.region, byVantage);
    }
    const key = vantage ?? "";
    let list = byVantage.get(key);
    if (list === undefined) {
      list = [];
      byVantage.set(key, list);
    }
    list.push({
      atMs: answeredAtMs,
      ok: sample.probeOk,
      route53Failing: sample.checkerFraction === null ? null : sample.checkerFraction < 1,
    });
  }

  /** The region's answers, one list per vantage, each in the order they arrived. */
  of(region: string): readonly (readonly ProbeAnswer[])[] {
    return [...(this.answers.get(region)?.values() ?? [])];
  }
}
