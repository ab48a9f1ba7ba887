/**
 * Test-only: an independent minute-by-minute reference for the business-time engine. Every
 * minute is formatted with Intl (sv-SE wall-clock strings, not the engine's offset arithmetic)
 * and marked open/closed; prefix sums then answer any interval in O(1).
 */
import type { Calendar } from './calendar.ts';
import { MINUTE_MS } from './tz.ts';

/** prefix[i] = open minutes in [from, from + i min). */
export function referencePrefix(c: Calendar, from: number, to: number): Int32Array {
  const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: c.timeZone, dateStyle: 'short', timeStyle: 'short' });
  const n = (to - from) / MINUTE_MS;
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const s = fmt.format(from + i * MINUTE_MS); // "2026-03-29 02:30"
    const ymd = s.slice(0, 10);
    const minuteOfDay = Number(s.slice(11, 13)) * 60 + Number(s.slice(14, 16));
    const weekday = new Date(`${ymd}T12:00:00Z`).getUTCDay();
    const open = !c.isClosed(ymd) && (c.weekly[weekday] ?? []).some(([a, b]) => minuteOfDay >= a && minuteOfDay < b);
    prefix[i + 1] = (prefix[i] ?? 0) + (open ? 1 : 0);
  }
  return prefix;
}
