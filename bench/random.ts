/** A small seeded PRNG (mulberry32) and the draws the market generator needs. */

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Mixes integers into one well-spread 32-bit seed (murmur3 finalizer per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Parts above 2^32 (never in practice) still change the seed.
    h ^= Math.floor(part / 4_294_967_296);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  uniform(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One key, with probability proportional to its weight. */
  weighted(weights: Readonly<Record<string, number>>): string;
  /** `count` distinct keys, each drawn by weight among those not drawn yet. */
  sample(weights: Readonly<Record<string, number>>, count: number): string[];
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const weighted = (weights: Readonly<Record<string, number>>): string => {
    let total = 0;
    for (const key in weights) total += weights[key]!;
    let x = next() * total;
    let last = '';
    for (const key in weights) {
      last = key;
      x -= weights[key]!;
      if (x < 0) return key;
    }
    return last;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    uniform: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted,
    sample(weights, count) {
      const left: Record<string, number> = { ...weights };
      const drawn: string[] = [];
      while (drawn.length < count && Object.keys(left).length > 0) {
        const key = weighted(left);
        drawn.push(key);
        delete left[key];
      }
      return drawn;
    },
    normal() {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
