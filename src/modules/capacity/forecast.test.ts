import { describe, expect, it } from 'vitest';
import { DAY_MS, forecastLink, HOUR_MS, type HourValue, hourOfWeek, quantile, theilSen } from './forecast.ts';

// Wednesday 11 March 2026, 15:00 UTC.
const NOW = Date.UTC(2026, 2, 11, 15, 0);
const START = Math.floor(NOW / DAY_MS) * DAY_MS - 56 * DAY_MS;
const opts = { now: NOW, saturationPct: 90, horizonDays: 90 };

/** Hourly p95 values from START to the last complete hour before NOW, by a function of the hour's start. */
function series(f: (at: number) => number, from = START): HourValue[] {
  const out: HourValue[] = [];
  for (let at = from; at + HOUR_MS <= NOW; at += HOUR_MS) out.push({ at, p95: f(at) });
  return out;
}

/** The day (YYYY-MM-DD) the true daily p95 of `f` first reaches 90, searched from today on. */
function trueSaturationDay(f: (at: number) => number): string {
  for (let d = Math.floor(NOW / DAY_MS); ; d++) {
    const values = Array.from({ length: 24 }, (_, h) => f(d * DAY_MS + h * HOUR_MS));
    if (quantile(values, 0.95) >= 90) return new Date(d * DAY_MS).toISOString().slice(0, 10);
  }
}

const daysBetween = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / DAY_MS;
const days = (at: number) => (at - START) / DAY_MS;
/** Office hours busy, nights quiet. */
const diurnal = (at: number) => {
  const h = new Date(at).getUTCHours();
  return h >= 8 && h < 18 ? 1 : 0.3;
};
const weekend = (at: number) => hourOfWeek(at) >= 5 * 24;

/** A seeded normal generator (mulberry32 + Box–Muller): the same noise at every run. */
function gaussian(seed: number) {
  let a = seed;
  const uniform = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

describe('Theil–Sen', () => {
  it('finds the line through the points and ignores a few wild ones', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const ys = xs.map((x) => 10 + 2 * x);
    ys[3] = 500;
    ys[17] = -200;
    ys[25] = 900;
    const fit = theilSen(xs, ys);
    expect(fit.slope).toBeCloseTo(2, 5);
    expect(fit.intercept).toBeCloseTo(10, 5);
  });
});

describe('forecastLink', () => {
  it('a flat link with a daily rhythm: no trend, no saturation', () => {
    const f = forecastLink(
      series((at) => 70 * diurnal(at)),
      opts,
    );
    expect(f.status).toBe('ok');
    expect(f.trendPerWeek).toBeCloseTo(0, 5);
    expect(f.currentP95).toBeCloseTo(70, 5);
    expect(f.daysToSaturation).toBeNull();
    expect(f.saturationDay).toBeNull();
    expect(f.forecast).toHaveLength(90);
    expect(Math.max(...f.forecast.map((d) => d.p95))).toBeCloseTo(70, 1);
  });

  it('a linear rise: saturation on the right day (±1), trend per week, the demand beyond 100 %', () => {
    const rise = (at: number) => 30 + 0.8 * days(at);
    const f = forecastLink(series(rise), opts);
    expect(f.status).toBe('ok');
    expect(f.trendPerWeek).toBeCloseTo(5.6, 1);
    expect(daysBetween(f.saturationDay!, trueSaturationDay(rise))).toBeLessThanOrEqual(1);
    // Today is day 56 of the rise (~75 %): 90 % is ~18 days away.
    expect(f.daysToSaturation).toBeGreaterThan(16);
    expect(f.daysToSaturation).toBeLessThan(20);
    expect(f.forecast.at(-1)!.p95).toBe(100);
    expect(f.peakDemandPct).toBeGreaterThan(140);
  });

  it('a weekly pattern with a rise: weekends stay lower, saturation on the right day (±1)', () => {
    const shaped = (at: number) => (weekend(at) ? 0.5 : 1) * (45 + 0.6 * days(at)) * diurnal(at);
    const f = forecastLink(series(shaped), opts);
    expect(f.status).toBe('ok');
    const truth = trueSaturationDay(shaped);
    expect(daysBetween(f.saturationDay!, truth)).toBeLessThanOrEqual(1);
    // The first day over is a weekday: the weekend's lower peak is in the forecast.
    expect([0, 6]).not.toContain(new Date(f.saturationDay!).getUTCDay());
    const saturday = f.forecast.find((d) => new Date(d.day).getUTCDay() === 6)!;
    const friday = f.forecast.find((d) => Date.parse(d.day) === Date.parse(saturday.day) - DAY_MS)!;
    expect(saturday.p95).toBeLessThan(friday.p95 * 0.7);
  });

  it('noise: a noisy flat link does not saturate; a noisy rise still lands within a day', () => {
    const noise = gaussian(17);
    const flat = forecastLink(
      series((at) => Math.min(100, Math.max(0, 55 * diurnal(at) + 6 * noise()))),
      opts,
    );
    expect(flat.status).toBe('ok');
    expect(Math.abs(flat.trendPerWeek!)).toBeLessThan(1);
    expect(flat.daysToSaturation).toBeNull();

    const clean = (at: number) => (35 + 0.9 * days(at)) * diurnal(at);
    const noisy = forecastLink(
      series((at) => Math.min(100, Math.max(0, clean(at) + 4 * noise()))),
      opts,
    );
    expect(daysBetween(noisy.saturationDay!, trueSaturationDay(clean))).toBeLessThanOrEqual(1);
  });

  it('a week of wild days (backups, an outage) does not tilt the trend', () => {
    const f = forecastLink(
      series((at) => {
        const d = Math.floor(days(at));
        if (d >= 20 && d < 24) return 100;
        if (d >= 40 && d < 43) return 0;
        return 60 * diurnal(at);
      }),
      opts,
    );
    expect(Math.abs(f.trendPerWeek!)).toBeLessThan(0.5);
    expect(f.daysToSaturation).toBeNull();
  });

  it('too little history: says so instead of guessing', () => {
    const tenDays = NOW - 10 * DAY_MS;
    const f = forecastLink(
      series((at) => 40 + (2 * (at - tenDays)) / DAY_MS, tenDays),
      opts,
    );
    expect(f.status).toBe('insufficient_history');
    expect(f.reason).toMatch(/\b(9|10) day\(s\).*14 needed/);
    expect(f.trendPerWeek).toBeNull();
    expect(f.forecast).toEqual([]);
    expect(f.daysToSaturation).toBeNull();
    expect(f.currentP95).toBeGreaterThan(50);
    // What was measured is no guess: a short history already at the ceiling is saturated now.
    const full = forecastLink(
      series(() => 96, tenDays),
      opts,
    );
    expect(full).toMatchObject({ status: 'insufficient_history', saturatedNow: true, daysToSaturation: 0 });

    const none = forecastLink([], opts);
    expect(none).toMatchObject({ status: 'insufficient_history', historyDays: 0, currentP95: null });
    expect(none.reason).toContain('no link utilisation');
  });

  it('half-reported days do not count towards the history', () => {
    // Six hours a day for 40 days: plenty of rows, no day with enough of them.
    const sparse = series(() => 50).filter((h) => new Date(h.at).getUTCHours() < 6);
    expect(forecastLink(sparse, opts)).toMatchObject({ status: 'insufficient_history', historyDays: 0 });
  });

  it('a link saturated for the last days is saturated now (0 days), even when its trend is flat', () => {
    const f = forecastLink(
      series((at) => (at >= NOW - 3 * DAY_MS ? 97 : 50)),
      opts,
    );
    expect(f).toMatchObject({ status: 'ok', saturatedNow: true, daysToSaturation: 0 });
    expect(f.saturationDay).toBe(new Date(NOW).toISOString().slice(0, 10));
    expect(f.peakDemandPct).toBeGreaterThanOrEqual(97);
  });

  it('a level already over the threshold today counts as 0 days, not a negative number', () => {
    const f = forecastLink(
      series((at) => 60 + 0.55 * days(at)),
      { ...opts, saturationPct: 85 },
    );
    expect(f.daysToSaturation).toBe(0);
  });

  it("counts complete days only: the afternoon's hours of today are not a day of history beside today's forecast", () => {
    // NOW is 15:00: today has 15 hours measured, more than a day needs to count.
    const f = forecastLink(
      series(() => 50),
      opts,
    );
    const today = new Date(NOW).toISOString().slice(0, 10);
    expect(f.history.at(-1)!.day < today).toBe(true);
    expect(f.forecast[0]!.day).toBe(today);
  });
});
