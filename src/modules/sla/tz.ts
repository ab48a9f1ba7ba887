/**
 * Time-zone arithmetic without Temporal: the offset of a zone at an instant comes from
 * Intl.DateTimeFormat, and a local ("wall") range is turned into the instants whose wall
 * time falls inside it. Wall times are expressed as "wall ms": Date.UTC of the local
 * fields, so wall arithmetic is plain integer arithmetic.
 *
 * DST rule (documented, tested): an instant counts for a local window when its wall time
 * is inside the window. So a window across a spring-forward gap loses the nonexistent hour
 * (02:00–03:00 does not exist, 01:00–05:00 holds 3 h), and a window across a fall-back
 * overlap counts the repeated hour twice (01:00–05:00 holds 5 h). A window that lies
 * entirely inside a gap is empty.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// Real offsets lie within [-12 h, +14 h]; margins cover every instant whose wall time is in a range.
const MAX_OFFSET_MS = 14 * HOUR_MS;
const MIN_OFFSET_MS = -12 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Wall ms (Date.UTC of the local fields) of an instant in a zone. */
export function wallMsAt(instantMs: number, timeZone: string): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of formatterFor(timeZone).formatToParts(seconds)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - y : y, mo - 1, d);
  wall.setUTCHours(h, mi, s, 0);
  return wall.getTime() + (instantMs - seconds);
}

/** Offset (wall − instant) in ms of a zone at an instant. */
export function offsetAt(instantMs: number, timeZone: string): number {
  return wallMsAt(instantMs, timeZone) - instantMs;
}

/** The instant ranges [start, end) whose wall time lies in [wallStart, wallEnd). */
export function wallRangeToInstants(wallStart: number, wallEnd: number, timeZone: string): Array<[number, number]> {
  if (wallEnd <= wallStart) return [];
  const lo = wallStart - MAX_OFFSET_MS;
  const hi = wallEnd - MIN_OFFSET_MS;
  const out: Array<[number, number]> = [];
  for (const [a, b, off] of constantOffsetSegments(lo, hi, timeZone)) {
    const s = Math.max(a, wallStart - off);
    const e = Math.min(b, wallEnd - off);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/**
 * Splits [lo, hi) into segments of constant offset. Assumes at most one transition per
 * probe step (zones change offset at most twice a year); the step keeps that safe even
 * for long ranges.
 */
function constantOffsetSegments(lo: number, hi: number, timeZone: string): Array<[number, number, number]> {
  const STEP = 7 * DAY_MS;
  const out: Array<[number, number, number]> = [];
  let a = lo;
  let offA = offsetAt(lo, timeZone);
  while (a < hi) {
    const b = Math.min(hi, a + STEP);
    const offB = offsetAt(b, timeZone);
    if (offB === offA) {
      extend(out, a, b, offA);
      a = b;
      continue;
    }
    // Binary search the first instant (ms) whose offset is offB.
    let l = a;
    let r = b;
    while (r - l > 1) {
      const m = Math.floor((l + r) / 2);
      if (offsetAt(m, timeZone) === offA) l = m;
      else r = m;
    }
    extend(out, a, r, offA);
    a = r;
    offA = offB;
  }
  return out;
}

function extend(out: Array<[number, number, number]>, a: number, b: number, off: number): void {
  const last = out[out.length - 1];
  if (last && last[1] === a && last[2] === off) last[1] = b;
  else out.push([a, b, off]);
}

/** Local calendar date (YYYY-MM-DD) and weekday (0 = Sunday) of a wall ms. */
export function wallDate(wallMs: number): { ymd: string; weekday: number; dayStart: number } {
  const dayStart = Math.floor(wallMs / DAY_MS) * DAY_MS;
  const d = new Date(dayStart);
  return { ymd: d.toISOString().slice(0, 10), weekday: d.getUTCDay(), dayStart };
}
