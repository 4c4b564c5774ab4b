/**
 * Deterministic randomness keyed by what is being drawn (region, checker, instant), not by the order
 * of draws: the simulation evaluates lazily, and the same seed must give the same report however the
 * controller's calls interleave.
 */

/** FNV-1a over the key, then a splitmix-style finaliser: a uniform draw in [0, 1). */
export function draw(seed: number, ...key: readonly (string | number)[]): number {
  return finish(fnv(0x811c9dc5 ^ (seed >>> 0), key.join("\u0001")));
}

/**
 * `draw(seed, ...prefix, n)` for many `n`: FNV-1a reads the key left to right, so the prefix is
 * hashed once and each draw hashes only its last part. The Route 53 checkers draw once per probe.
 */
export function drawer(seed: number, ...prefix: readonly (string | number)[]): (n: number) => number {
  const h = fnv(0x811c9dc5 ^ (seed >>> 0), `${prefix.join("\u0001")}\u0001`);
  return (n) => finish(Number.isSafeInteger(n) && n >= 0 ? fnvDigits(h, n) : fnv(h, String(n)));
}

/** `fnv(h, String(n))` for a whole number, without making the string. */
function fnvDigits(start: number, n: number): number {
  let h = start;
  let unit = 1;
  while (unit * 10 <= n) unit *= 10;
  for (; unit >= 1; unit /= 10) {
    h ^= 48 + (Math.floor(n / unit) % 10);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function fnv(start: number, text: string): number {
  let h = start;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function finish(hash: number): number {
  let h = hash;
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
