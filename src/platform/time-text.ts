/**
 * Strict date-time text. `Date.parse` takes 2026-02-30 (it rolls over to March) and refuses a leap second, and
 * PostgreSQL refuses what it cannot store with an error that would surface as a 500; so every time that comes
 * from outside as text (ingest `ts`, a cursor's keyset time) is checked here, field by field, first.
 */

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A real calendar date and a wall-clock time; second 60 is a leap second (RFC 3339 §5.7). */
function realDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 60;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time, or null when it is not one (a day the month lacks, hour
 * 24, an offset beyond ±23:59). A leap second (…:60) counts as the first instant of the next minute, as
 * PostgreSQL stores it.
 */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!realDateTime(y, mo, d, h, mi, s)) return null;
  let offsetMin = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

/** PostgreSQL's text of a timestamptz at UTC-ish offsets: `2026-12-06 02:54:08.123456+00` (or `+05:30`). */
const PG_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::(\d{2}))?$/;

/** True when `text` is a timestamptz as PostgreSQL prints it, with a real date and time (what cursors carry). */
export function isPgTimeText(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = PG_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return y >= 1 && realDateTime(y, mo, d, h, mi, s) && s < 60 && Number(m[9]) <= 15 && Number(m[10] ?? 0) <= 59;
}
