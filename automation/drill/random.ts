/**
 * Deterministic randomness keyed by what is being drawn (region, checker, instant), not by the order
 * of draws: the simulation evaluates lazily, and the same seed must give the same report however the
 * controller's calls interleave.
 */

/** FNV-1a over the key, then a splitmix-style finaliser: a uniform draw in [0, 1). */
export function draw(seed: number, ...key: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = key.join("\u0001");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A sequential generator (mulberry32) for building random scenarios in tests and benchmarks. */
export function sequence(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
