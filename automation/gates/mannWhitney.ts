/**
 * Mann-Whitney U test, one-sided: does `x` tend to be larger than `y`? Normal approximation with
 * tie and continuity corrections, which is accurate from about 8 samples per side; callers do not
 * use it below that.
 */
export interface MannWhitneyResult {
  /** U statistic of x: pairs (xi, yj) with xi > yj, ties counting one half. */
  readonly u: number;
  readonly z: number;
  /** P(U >= u) under the null hypothesis. 1 when every value ties (no evidence either way). */
  readonly p: number;
  readonly n1: number;
  readonly n2: number;
}

export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) {
    throw new Error("Mann-Whitney U needs at least one sample on each side");
  }
  const all = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))].sort(
    (a, b) => a.v - b.v,
  );
  const n = all.length;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    // Tied values share the mean of the ranks they span (1-based ranks i+1 .. j+1).
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) {
      if (all[k].fromX) rankSumX += rank;
    }
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) {
    return { u, z: 0, p: 1, n1, n2 };
  }
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, p: upperTail(z), n1, n2 };
}

/** P(Z > z) for a standard normal Z. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function, Chebyshev fit with fractional error below 1.2e-7 everywhere. */
function erfc(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const y =
    t *
    Math.exp(
      -a * a -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}
