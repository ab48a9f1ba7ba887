import { describe, expect, it } from 'vitest';
import { createTtlCache } from './ttl-cache.ts';

describe('ttl cache', () => {
  it('answers a value until its instant, not at or after it', () => {
    const c = createTtlCache<string>(10);
    c.set('a', 'x', 100);
    expect(c.get('a', 99)).toBe('x');
    expect(c.get('a', 100)).toBeUndefined();
    expect(c.get('a', 50)).toBeUndefined(); // dropped when found expired
  });

  it('evicts the oldest insert past max, and drops matching values on request', () => {
    const c = createTtlCache<number>(2);
    c.set('a', 1, 1000);
    c.set('b', 2, 1000);
    c.set('c', 3, 1000);
    expect([c.get('a', 0), c.get('b', 0), c.get('c', 0)]).toEqual([undefined, 2, 3]);
    c.deleteWhere((v) => v === 2);
    expect(c.get('b', 0)).toBeUndefined();
    expect(c.get('c', 0)).toBe(3);
  });
});
