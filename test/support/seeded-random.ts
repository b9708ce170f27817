/**
 * The seeded generator of the differential tests (mulberry32: small, fast, good enough to pick
 * operations), so a failing seed replays exactly. `mulberry32(seed)` is the bare number stream;
 * `seededRandom(seed)` adds the pickers the generators use.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  next: () => number;
  /** 0 .. n-1. */
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  chance: (p: number) => boolean;
}

export function seededRandom(seed: number): SeededRandom {
  const next = mulberry32(seed);
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]!, chance: (p) => next() < p };
}

/** The first seed of a run: `env` (a number) when set, else one from the clock; tests print it. */
export function firstSeed(env: string | undefined): number {
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0) throw new Error(`seed "${env}" is not a whole number`);
    return n;
  }
  return Date.now() % 100_000;
}
