import { describe, expect, it } from 'vitest';
import { hourOf, nextGap, PROFILES } from './profiles.ts';
import { rng } from './rng.ts';

const HOUR = 3_600_000;
const at = (h: number, m = 0) => Date.UTC(2026, 2, 2, h, m);
/** A draw of exactly `e` (Exp(1) units), whatever mean it is asked for. */
const fixed = (e: number) => ({ exp: (mean: number) => e * mean });

describe('nextGap: the next attempt at the rate of each hour it spans', () => {
  it('within one hour it is the plain exponential gap at that hour’s mean', () => {
    expect(nextGap(() => 6 * HOUR, at(10), fixed(0.1))).toBeCloseTo(0.6 * HOUR, -1);
  });

  it('a meter that reported at 23:55 reports in its night window, not a day-long 6 h mean later', () => {
    const meter = PROFILES.meter.sessionGap;
    // One unit of Exp(1): 5 min at the day's mean (6 h) spend 1/72, the rest at the night's 1.5 h.
    const gap = nextGap(meter, at(23, 55), fixed(1));
    expect(gap).toBeCloseTo(5 * 60_000 + (1 - 1 / 72) * 1.5 * HOUR, -1);
    expect(hourOf(at(23, 55) + gap)).toBeLessThan(5);
  });

  it('over many meters, almost every one reports within a night window after its last day session', () => {
    const r = rng(42);
    let reported = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const gap = nextGap(PROFILES.meter.sessionGap, at(18), r);
      if (at(18) + gap < at(24 + 5)) reported++;
    }
    // P(no attempt over 6 h of day and the 5 h window) = e^-(1 + 3.33) ≈ 1.3 %.
    expect(reported / n).toBeGreaterThan(0.97);
  });
});
