export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** RFC 3339 in whole seconds: mediation records carry no sub-second part. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ceilSecond(ms: number): number {
  return Math.ceil(ms / SECOND) * SECOND;
}

/** Hours since local midnight at a fixed UTC offset (standard time; DST is not modelled). */
export function localHour(ms: number, tz: number): number {
  const local = ms + tz * HOUR;
  return (((local % DAY) + DAY) % DAY) / HOUR;
}

/** UTC instants of the local midnights from the day before `from` to the day of `to`. */
export function localMidnights(from: number, to: number, tz: number): number[] {
  const first = Math.floor((from + tz * HOUR) / DAY) * DAY - tz * HOUR - DAY;
  const out: number[] = [];
  for (let d = first; d <= to; d += DAY) out.push(d);
  return out;
}

/** 0 = Sunday … 6 = Saturday, in local time. */
export function localWeekday(ms: number, tz: number): number {
  return new Date(ms + tz * HOUR).getUTCDay();
}

/** Allowances reset at the start of the calendar month (UTC). */
export function monthStartUtc(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
