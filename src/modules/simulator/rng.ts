/**
 * Deterministic randomness for the simulator: every member draws from its own stream seeded by (run seed, ICCID),
 * so a member behaves the same whatever the fleet size, order or publishing speed.
 */

import { fnv1a32, mulberry32 } from '../../platform/random.ts';

/** 32-bit FNV-1a of a string (seeds and deterministic picks). */
export const hash32 = fnv1a32;

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

/** mulberry32 underneath: good enough for traffic shapes (not for secrets). */
export function rng(seed: number): Rng {
  const next = mulberry32(seed);
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
