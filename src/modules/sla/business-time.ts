/**
 * Business time in a calendar, computed per local day rather than per minute: each open
 * local date turns into a few instant ranges (tz.ts handles DST), cached on the calendar, so
 * a due time nine working days out costs a dozen day lookups.
 */
import type { Calendar } from './calendar.ts';
import { DAY_MS, MINUTE_MS, wallDate, wallMsAt, wallRangeToInstants } from './tz.ts';

/** Beyond this a target is treated as unreachable (a calendar open a few hours a year). */
const MAX_DAYS = 3 * 366;
const DAY_CACHE_LIMIT = 50_000;

type Range = readonly [number, number];

/** The instant ranges of a local date (wall ms of its midnight) during which the calendar is open. */
export function openRangesOfDay(cal: Calendar, dayStartWall: number): ReadonlyArray<Range> {
  const { ymd, weekday } = wallDate(dayStartWall);
  const cached = cal.dayCache.get(ymd);
  if (cached) return cached;
  const pieces: Array<[number, number]> = [];
  if (!cal.isClosed(ymd)) {
    for (const [s, e] of cal.weekly[weekday] ?? []) {
      const wallStart = dayStartWall + s * MINUTE_MS;
      pieces.push(...wallRangeToInstants(wallStart, dayStartWall + e * MINUTE_MS, cal.timeZone));
    }
  }
  // In a fall-back overlap a later wall window can map to earlier instants: sort, then merge.
  pieces.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of pieces) {
    const last = out[out.length - 1];
    if (last && last[1] >= a) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  if (cal.dayCache.size >= DAY_CACHE_LIMIT) cal.dayCache.clear();
  cal.dayCache.set(ymd, out);
  return out;
}

/**
 * Local day starts (wall ms) to visit for instants from `fromMs` on. One day of slack before:
 * a fall-back across midnight can put an instant's local date behind an earlier instant's.
 */
function firstDay(cal: Calendar, fromMs: number): number {
  return wallDate(wallMsAt(fromMs, cal.timeZone)).dayStart - DAY_MS;
}

/** Business milliseconds in [from, to). Zero when to ≤ from. */
export function businessMsBetween(cal: Calendar, from: Date | number, to: Date | number): number {
  const f = +from;
  const t = +to;
  if (t <= f) return 0;
  if (cal.always) return t - f;
  const lastDay = wallDate(wallMsAt(t, cal.timeZone)).dayStart + DAY_MS;
  let total = 0;
  for (let day = firstDay(cal, f); day <= lastDay; day += DAY_MS) {
    for (const [a, b] of openRangesOfDay(cal, day)) {
      const s = Math.max(a, f);
      const e = Math.min(b, t);
      if (e > s) total += e - s;
    }
  }
  return total;
}

/**
 * The first instant at which `ms` business milliseconds have elapsed since `start`.
 * With ms = 0 that is `start` itself. Throws when the calendar cannot supply the time
 * within three years (a misconfigured calendar, not a real target).
 */
export function addBusinessMs(cal: Calendar, start: Date | number, ms: number): number {
  const s0 = +start;
  if (ms <= 0) return s0;
  if (cal.always) return s0 + ms;
  let remaining = ms;
  const first = firstDay(cal, s0);
  for (let i = 0; i <= MAX_DAYS; i++) {
    for (const [a, b] of openRangesOfDay(cal, first + i * DAY_MS)) {
      const s = Math.max(a, s0);
      if (b <= s) continue;
      if (remaining <= b - s) return s + remaining;
      remaining -= b - s;
    }
  }
  throw new Error(`calendar ${cal.name} has no ${ms / MINUTE_MS} business minutes within ${MAX_DAYS} days`);
}

/** Due instant of a target of N business minutes counted from `start`. */
export function addBusinessMinutes(cal: Calendar, start: Date | number, minutes: number): Date {
  return new Date(addBusinessMs(cal, start, minutes * MINUTE_MS));
}

/** Business minutes (whole, rounded down) in [from, to). */
export function businessMinutesBetween(cal: Calendar, from: Date | number, to: Date | number): number {
  return Math.floor(businessMsBetween(cal, from, to) / MINUTE_MS);
}

/**
 * The end of the n-th open local day after the day of `from` (the verification period:
 * "closes after 3 working days" = at closing time of the third working day after resolution).
 * On an always-open calendar a working day is simply 24 h.
 */
export function addWorkingDays(cal: Calendar, from: Date | number, n: number): Date {
  const f = +from;
  if (n <= 0) return new Date(f);
  if (cal.always) return new Date(f + n * DAY_MS);
  const fromDay = wallDate(wallMsAt(f, cal.timeZone)).dayStart;
  let seen = 0;
  for (let i = 1; i <= MAX_DAYS; i++) {
    const ranges = openRangesOfDay(cal, fromDay + i * DAY_MS);
    const last = ranges[ranges.length - 1];
    if (!last) continue;
    seen++;
    if (seen === n) return new Date(last[1]);
  }
  throw new Error(`calendar ${cal.name} has no ${n} working days within ${MAX_DAYS} days`);
}
/**
 * Working days in [from, to) on a calendar: each open local day counts the share of its open time that falls
 * inside, so a case open from Monday 13:00 to Tuesday 13:00 on an 08–17 calendar took 1 working day, and a
 * short Friday counts as a whole day when spent entirely. On an always-open calendar a working day is 24 h.
 */
export function workingDaysBetween(cal: Calendar, from: Date | number, to: Date | number): number {
  const f = +from;
  const t = +to;
  if (t <= f) return 0;
  if (cal.always) return (t - f) / DAY_MS;
  const lastDay = wallDate(wallMsAt(t, cal.timeZone)).dayStart + DAY_MS;
  let days = 0;
  // A day of slack before: a fall-back across midnight can put `from` on the previous local date.
  for (let day = wallDate(wallMsAt(f, cal.timeZone)).dayStart - DAY_MS; day <= lastDay; day += DAY_MS) {
    let open = 0;
    let inside = 0;
    for (const [a, b] of openRangesOfDay(cal, day)) {
      open += b - a;
      const s = Math.max(a, f);
      const e = Math.min(b, t);
      if (e > s) inside += e - s;
    }
    if (open > 0) days += inside / open;
  }
  return days;
}
