import { describe, expect, it } from 'vitest';
import { watchedBits } from './watched-bits.ts';

describe('watched bits', () => {
  it('remembers ids across its growth, forgets what is deleted, and ignores ids it cannot hold', () => {
    const b = watchedBits();
    for (const id of [0, 7, 8, 131_071, 131_072, 5_000_000]) b.add(id);
    for (const id of [0, 7, 8, 131_071, 131_072, 5_000_000]) expect(b.has(id)).toBe(true);
    for (const id of [1, 9, 131_073, 4_999_999, 10_000_000, -1]) expect(b.has(id)).toBe(false);
    b.delete(7);
    expect(b.has(7)).toBe(false);
    expect(b.has(0)).toBe(true);
    // Past 2^28, negative or fractional: not remembered (the database is asked each time).
    b.add(2 ** 28);
    b.add(-3);
    b.add(1.5);
    expect([b.has(2 ** 28), b.has(-3), b.has(1.5)]).toEqual([false, false, false]);
  });
});
