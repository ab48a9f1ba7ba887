/**
 * Opaque keyset cursors: base64url of a JSON array of the last row's sort key and tiebreak. A cursor comes back
 * from the client, so each part is checked here before it reaches SQL — a NUL in a text part, an id beyond
 * bigint or a 30 February would otherwise be a PostgreSQL error, i.e. a 500 (outside probe round 5).
 */
import { isPgTimeText } from './time-text.ts';

export const encodeCursor = (parts: readonly (string | number)[]) =>
  Buffer.from(JSON.stringify(parts)).toString('base64url');

/** The cursor's parts, or null when it is not base64url of a JSON array of `length` items. */
export function cursorParts(cursor: string, length: number): unknown[] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return Array.isArray(v) && v.length === length ? v : null;
  } catch {
    return null;
  }
}

/** Text PostgreSQL can take as a parameter: no NUL, no lone surrogate, at most `max` characters. */
export const isCursorText = (v: unknown, max = 500): v is string =>
  typeof v === 'string' && v.length <= max && !v.includes('\u0000') && v.isWellFormed();

/** A row id: a whole number that fits a bigint and a JS number exactly. */
export const isCursorId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export const isCursorTime = isPgTimeText;
