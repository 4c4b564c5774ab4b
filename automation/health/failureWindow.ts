/**
 * The windowed detector of partial faults: a region that answers some probes and fails others (a
 * degradation, a flap faster than the failure threshold) never fails `failureThreshold` probes in a
 * row for sure, yet its probes say it is failing long before a fixed window would. The detector
 * asks, after each failed probe, whether the failures among the last k answers (for every k up to
 * the window) are more than a healthy region could plausibly produce: a binomial tail test against
 * the error rate a healthy region may show (`noiseErrorRate`), at a false-alarm rate of
 * `FALSE_ALARM` per test. It concludes as soon as one such stretch is conclusive, so a region
 * failing nine probes in ten is out after three, and one failing a quarter of them after the
 * dozen or two it takes to tell a quarter from noise.
 */

/**
 * Probe answers kept per region for its measured error rate and this detector: 30 samples, five
 * minutes at a 10 s interval, enough to tell a region serving 35 % errors from one that dropped a
 * packet.
 */
export const PROBE_WINDOW = 30;

/**
 * The chance that one test holds out a region whose error rate is at the noise bound. A region
 * well inside it (a 0.1 % build) needs three failures within four probes: about once in 250
 * million tests, so never over the controller's life.
 */
export const FALSE_ALARM = 1e-3;

/** Fewer failures than this are noise, whatever the window: one failed probe never holds a region out. */
export const MIN_WINDOW_FAILURES = 2;

/** P(X >= f) for X ~ Binomial(n, p). */
export function binomialTail(n: number, f: number, p: number): number {
  if (f <= 0) return 1;
  if (f > n) return 0;
  // Sum the upper terms directly: n is at most the probe window, so this stays exact enough.
  let term = p ** n; // k = n
  let sum = term;
  for (let k = n - 1; k >= f; k--) {
    // C(n,k) p^k q^(n-k) from C(n,k+1) p^(k+1) q^(n-k-1)
    term = p === 0 ? 0 : (term * (k + 1) * (1 - p)) / ((n - k) * p);
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * The fewest failures among `n` answers that no region at `noiseErrorRate` shows more often than
 * `FALSE_ALARM`; `n + 1` when even `n` of `n` is not enough.
 */
export function failuresNeeded(n: number, noiseErrorRate: number): number {
  let f = MIN_WINDOW_FAILURES;
  while (f <= n && binomialTail(n, f, noiseErrorRate) > FALSE_ALARM) f++;
  return f;
}

/**
 * Whether the recent probe answers (true: ok, oldest first) show the region failing: the latest
 * answer failed and, for some k, the last k answers hold `failuresNeeded(k)` failures or more.
 * Only a failed answer can conclude, so a region that answers again is never held out by its past
 * alone.
 */
export function windowFailing(recent: readonly boolean[], noiseErrorRate: number): boolean {
  const n = recent.length;
  if (n === 0 || recent[n - 1]) return false;
  let failures = 0;
  for (let k = 1; k <= n; k++) {
    if (!recent[n - k]) failures++;
    if (failures >= MIN_WINDOW_FAILURES && failures >= failuresNeeded(k, noiseErrorRate)) return true;
  }
  return false;
}
