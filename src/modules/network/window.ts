/**
 * Time windows and keyset cursors of the trace reads, as pure functions (devices' telemetry series uses them too).
 * A window is [from, to], both inclusive; it may not reach further back than the events are kept, because a longer
 * one would silently answer with less than it claims.
 */
import { cursorParts, encodeCursor as encodeParts, isCursorText, isCursorTime } from '../../platform/cursor.ts';
import { invalid } from '../../platform/errors.ts';
import { NetworkErrors as E } from './network.errors.ts';

export type Window = { from: Date; to: Date };
const HOUR = 3600_000;

export function parseWindow(
  q: { from?: string | undefined; to?: string | undefined },
  opts: { retentionDays: number; now: number; defaultHours?: number },
): Window {
  const to = q.to === undefined ? new Date(opts.now) : new Date(q.to);
  const from = q.from === undefined ? new Date(to.getTime() - (opts.defaultHours ?? 24) * HOUR) : new Date(q.from);
  if (from > to) {
    throw invalid(E.windowInvalid, `from (${from.toISOString()}) is after to (${to.toISOString()})`, [
      { field: 'from', value: q.from ?? from.toISOString(), reason: 'must not be after to' },
      { field: 'to', value: q.to ?? to.toISOString(), reason: 'must not be before from' },
    ]);
  }
  const days = (to.getTime() - from.getTime()) / (24 * HOUR);
  if (days > opts.retentionDays) {
    throw invalid(
      E.windowInvalid,
      `The window is ${days.toFixed(1)} days; events are kept ${opts.retentionDays} days (NETWORK_EVENT_RETENTION_DAYS)`,
      [
        {
          field: 'from',
          value: q.from ?? from.toISOString(),
          reason: `window longer than NETWORK_EVENT_RETENTION_DAYS (${opts.retentionDays} days)`,
        },
      ],
    );
  }
  return { from, to };
}

const TID_TEXT = /^\((\d{1,10}),(\d{1,5})\)$/;
/** A row's physical id as PostgreSQL prints it: (block, line), a 32-bit block and a 16-bit line number. */
function isTidText(text: string): boolean {
  const m = TID_TEXT.exec(text);
  return m !== null && Number(m[1]) <= 0xffffffff && Number(m[2]) <= 0xffff;
}

export const cursorError = (cursor: string) =>
  invalid(E.cursorInvalid, 'Invalid cursor', [
    { field: 'cursor', value: cursor, reason: 'not a cursor from this list with these filters' },
  ]);

/**
 * Opaque keyset cursor: [list, sort key, tiebreak]. The sort key is a timestamp's text; the tiebreak a row's
 * physical id (tid) or a text key, whichever the list pages by.
 */
export const encodeCursor = (list: string, key: string, tiebreak: string) => encodeParts([list, key, tiebreak]);

export function decodeCursor(
  cursor: string,
  list: string,
  tiebreak: 'tid' | 'text',
): { key: string; tiebreak: string } {
  const v = cursorParts(cursor, 3);
  if (!v || v[0] !== list) throw cursorError(cursor);
  const [, key, tb] = v;
  // The key is PostgreSQL's own text of a timestamptz: microseconds kept (a JS Date would round them and skip rows).
  if (!isCursorTime(key) || !isCursorText(tb, 200)) throw cursorError(cursor);
  if (tiebreak === 'tid' && !isTidText(tb)) throw cursorError(cursor);
  return { key, tiebreak: tb };
}

/** Comma-separated or repeated query values → a list (validated by the caller's schema). */
export const listParam = (v: string | string[]) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** "24007" → { mcc: "240", mnc: "07" }: the MCC is always 3 digits, the rest (2 or 3) is the MNC. */
export const networkOf = (plmn: string | null) =>
  plmn === null || plmn.length < 5 ? null : { mcc: plmn.slice(0, 3), mnc: plmn.slice(3) };
