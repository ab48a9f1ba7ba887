/**
 * The link forecast (issue 17.5), pure: hourly p95 link utilisation in, the daily p95 ahead and the day it reaches
 * the saturation level out. Trend: Theil–Sen on the daily p95 (the median of pairwise slopes — a week of backups or
 * an outage day does not tilt it as least squares would). Seasonality: the median residual of each hour of the week,
 * so a shop's Saturday and an office's Monday morning keep their shape in the forecast. Daily p95 everywhere is the
 * 95th percentile of that day's hourly p95 values (history and forecast alike, so they compare).
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** A day counts for the trend only with this many hours measured (a half-reported day would bias its p95). */
export const MIN_HOURS_PER_DAY = 12;
/** Two weeks: every hour of the week seen at least twice, and a trend not drawn through a single week's shape. */
export const MIN_HISTORY_DAYS = 14;
/** "Current" utilisation: the p95 of the last week's hours, so a quiet Sunday does not hide a busy link. */
const CURRENT_WINDOW_DAYS = 7;

/** One hour of telemetry: its start (epoch ms, UTC) and the p95 of the values measured in it. */
export type HourValue = { at: number; p95: number };
export type DayValue = { day: string; p95: number };

export type ForecastOptions = {
  now: number;
  saturationPct: number;
  /** Days ahead forecast (today included) and searched for saturation. */
  horizonDays: number;
  minHistoryDays?: number;
};

export type LinkForecast = {
  status: 'ok' | 'insufficient_history';
  /** Why there is no forecast (insufficient_history), in words for the desk. */
  reason: string | null;
  /** Days with enough hours measured. */
  historyDays: number;
  history: DayValue[];
  currentP95: number | null;
  /** Percentage points per week (Theil–Sen slope × 7). */
  trendPerWeek: number | null;
  /** Two of the last three complete days were at or above the level already. */
  saturatedNow: boolean;
  /** Daily p95 expected from today on (0–100). */
  forecast: DayValue[];
  /** From `now` to the start of the first day expected at or above the level; 0 when saturated now. */
  daysToSaturation: number | null;
  saturationDay: string | null;
  /**
   * The highest daily p95 the model expects within the horizon without the 100 % ceiling: the demand the link would
   * carry if it could (what an upgrade is sized for). At least the current p95.
   */
  peakDemandPct: number | null;
};

const dayText = (dayIndex: number) => new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Linear-interpolated quantile (PostgreSQL's percentile_cont): `q` in 0–1 of a non-empty list. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** Theil–Sen: slope = median of pairwise slopes, intercept = median of y − slope·x. */
export function theilSen(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
    }
  const slope = slopes.length > 0 ? median(slopes) : 0;
  return { slope, intercept: median(ys.map((y, i) => y - slope * xs[i]!)) };
}

/** 0 = Monday 00:00 UTC … 167 = Sunday 23:00 UTC. */
export const hourOfWeek = (at: number) => {
  const d = new Date(at);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
};

/** The median residual per hour of the week; an hour never seen takes its hour of the day's, else 0. */
function weeklyProfile(residuals: readonly { at: number; r: number }[]): number[] {
  const byWeek: number[][] = Array.from({ length: 168 }, () => []);
  const byDay: number[][] = Array.from({ length: 24 }, () => []);
  for (const x of residuals) {
    byWeek[hourOfWeek(x.at)]!.push(x.r);
    byDay[new Date(x.at).getUTCHours()]!.push(x.r);
  }
  return byWeek.map((rs, how) => {
    if (rs.length > 0) return median(rs);
    const sameHour = byDay[how % 24]!;
    return sameHour.length > 0 ? median(sameHour) : 0;
  });
}

export function forecastLink(hoursIn: readonly HourValue[], o: ForecastOptions): LinkForecast {
  const minDays = o.minHistoryDays ?? MIN_HISTORY_DAYS;
  const today = Math.floor(o.now / DAY_MS);
  const hours = hoursIn.filter((h) => h.at < o.now && Number.isFinite(h.p95)).sort((a, b) => a.at - b.at);
  const byDay = new Map<number, number[]>();
  for (const h of hours) {
    const d = Math.floor(h.at / DAY_MS);
    const list = byDay.get(d);
    if (list) list.push(h.p95);
    else byDay.set(d, [h.p95]);
  }
  // Complete days only: today's hours so far (its morning, from noon on ≥ 12 of them) would be a biased day, and the
  // forecast starts today — a chart would show it twice.
  const days = [...byDay]
    .filter(([d, vs]) => d < today && vs.length >= MIN_HOURS_PER_DAY)
    .map(([d, vs]) => ({ d, p95: quantile(vs, 0.95) }))
    .sort((a, b) => a.d - b.d);
  const history = days.map((x) => ({ day: dayText(x.d), p95: round(x.p95) }));
  const recent = hours.filter((h) => h.at >= o.now - CURRENT_WINDOW_DAYS * DAY_MS).map((h) => h.p95);
  const currentP95 = recent.length > 0 ? round(quantile(recent, 0.95)) : null;
  const lastThree = days.filter((x) => x.d >= today - 3 && x.d < today).map((x) => x.p95);
  const saturatedNow = lastThree.length >= 2 && median(lastThree) >= o.saturationPct;

  if (days.length < minDays)
    return {
      status: 'insufficient_history',
      reason:
        hours.length === 0
          ? 'no link utilisation measured in the history window'
          : `${days.length} day(s) with at least ${MIN_HOURS_PER_DAY} hours measured; ${minDays} needed for a trend and a weekly pattern`,
      historyDays: days.length,
      history,
      currentP95,
      trendPerWeek: null,
      saturatedNow,
      forecast: [],
      daysToSaturation: saturatedNow ? 0 : null,
      saturationDay: saturatedNow ? dayText(today) : null,
      peakDemandPct: saturatedNow ? currentP95 : null,
    };

  // x in days since the epoch, a day's p95 placed at its middle.
  const { slope, intercept } = theilSen(
    days.map((x) => x.d + 0.5),
    days.map((x) => x.p95),
  );
  const trendAt = (at: number) => intercept + slope * (at / DAY_MS);
  const profile = weeklyProfile(hours.map((h) => ({ at: h.at, r: h.p95 - trendAt(h.at) })));

  const forecast: DayValue[] = [];
  let peak = currentP95 ?? 0;
  let firstOver: number | null = null;
  for (let k = 0; k < o.horizonDays; k++) {
    const d = today + k;
    const values: number[] = [];
    for (let h = 0; h < 24; h++) {
      const at = d * DAY_MS + h * HOUR_MS;
      values.push(trendAt(at + HOUR_MS / 2) + profile[hourOfWeek(at)]!);
    }
    const demand = quantile(values, 0.95);
    peak = Math.max(peak, demand);
    const p95 = Math.min(100, Math.max(0, demand));
    forecast.push({ day: dayText(d), p95: round(p95) });
    if (firstOver === null && p95 >= o.saturationPct) firstOver = d;
  }
  const satDay = saturatedNow ? today : firstOver;
  return {
    status: 'ok',
    reason: null,
    historyDays: days.length,
    history,
    currentP95,
    trendPerWeek: round(slope * 7),
    saturatedNow,
    forecast,
    daysToSaturation: satDay === null ? null : round(Math.max(0, (satDay * DAY_MS - o.now) / DAY_MS), 1),
    saturationDay: satDay === null ? null : dayText(satDay),
    peakDemandPct: round(peak),
  };
}
