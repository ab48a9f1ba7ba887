/**
 * Deterministic randomness for the simulator: every member draws from its own stream seeded by (run seed, ICCID),
 * so a member behaves the same whatever the fleet size, order or publishing speed.
 */

/** 32-bit FNV-1a of a string: stable across runs and platforms (used for seeds and deterministic picks). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Exponential waiting time with the given mean (a Poisson process's gaps). */
  exp(mean: number): number;
};

/** mulberry32: tiny, fast, good enough for traffic shapes (not for secrets). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    exp: (mean) => -Math.log(1 - next()) * mean,
  };
}

/** A member's own stream: the same ICCID under the same seed always draws the same numbers. */
export const memberRng = (seed: number, iccid: string, stream: string) => rng(hash32(`${seed}/${stream}/${iccid}`));
