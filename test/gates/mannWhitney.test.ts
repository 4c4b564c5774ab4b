import { describe, expect, it } from "vitest";
import { mannWhitneyGreater, upperTail } from "../../automation/gates/mannWhitney";

/** U by its definition: pairs where x wins, ties counting one half. */
function bruteForceU(x: number[], y: number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

describe("Mann-Whitney U (one-sided, x greater)", () => {
  it("standard normal upper tail matches known quantiles", () => {
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(upperTail(1.644854)).toBeCloseTo(0.05, 6);
    expect(upperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTail(-1.959964)).toBeCloseTo(0.975, 6);
    expect(upperTail(3)).toBeCloseTo(0.0013499, 6);
  });

  it("fully separated samples of 8: U = 64, z and p from the normal approximation", () => {
    const x = [9, 10, 11, 12, 13, 14, 15, 16];
    const y = [1, 2, 3, 4, 5, 6, 7, 8];
    const r = mannWhitneyGreater(x, y);
    expect(r.u).toBe(64);
    const sigma = Math.sqrt(((8 * 8) / 12) * 17);
    expect(r.z).toBeCloseTo((64 - 32 - 0.5) / sigma, 10);
    expect(r.p).toBeCloseTo(upperTail((64 - 32 - 0.5) / sigma), 12);
    expect(r.p).toBeLessThan(0.001);
    // The other direction is nowhere near significant.
    expect(mannWhitneyGreater(y, x).p).toBeGreaterThan(0.99);
  });

  it("applies the tie correction", () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const r = mannWhitneyGreater(x, [...x]);
    expect(r.u).toBe(32);
    // 8 ties of size 2: sum(t^3 - t) = 48.
    const sigma = Math.sqrt(((8 * 8) / 12) * (17 - 48 / (16 * 15)));
    expect(r.z).toBeCloseTo(-0.5 / sigma, 10);
    expect(r.p).toBeGreaterThan(0.5);
  });

  it.each([
    [
      [0.01, 0.02, 0.0, 0.05, 0.03, 0.02, 0.01, 0.04, 0.02],
      [0.0, 0.01, 0.0, 0.02, 0.01, 0.0, 0.01, 0.0, 0.01, 0.02],
    ],
    [
      [3, 4, 2, 6, 2, 5, 7, 7],
      [9, 7, 5, 10, 6, 8, 1, 2],
    ],
  ])("U agrees with pair counting (%#)", (x, y) => {
    const r = mannWhitneyGreater(x, y);
    expect(r.u).toBeCloseTo(bruteForceU(x, y), 10);
    expect(r.u + mannWhitneyGreater(y, x).u).toBeCloseTo(x.length * y.length, 10);
  });

  it("gives p = 1 when every value ties (no evidence)", () => {
    expect(mannWhitneyGreater([0, 0, 0], [0, 0, 0]).p).toBe(1);
  });

  it("refuses an empty side", () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(/at least one sample/);
  });
});
