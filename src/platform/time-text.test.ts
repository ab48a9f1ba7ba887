import { describe, expect, it } from 'vitest';
import { cursorParts, encodeCursor, isCursorId, isCursorText } from './cursor.ts';
import { isPgTimeText, parseRfc3339 } from './time-text.ts';

describe('parseRfc3339', () => {
  it('reads date-times with fractions and offsets', () => {
    expect(parseRfc3339('2026-12-06T02:54:08Z')).toBe(Date.UTC(2026, 11, 6, 2, 54, 8));
    expect(parseRfc3339('2026-12-06t02:54:08.123456789+01:30')).toBe(Date.UTC(2026, 11, 6, 1, 24, 8, 123));
    expect(parseRfc3339('2024-02-29 00:00:00-00:00')).toBe(Date.UTC(2024, 1, 29));
  });
  it('takes a leap second as the next minute’s first instant', () => {
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toBe(Date.UTC(2017, 0, 1));
  });
  it.each([
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:61Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '1',
  ])('refuses %s', (t) => expect(parseRfc3339(t)).toBeNull());
});

describe('isPgTimeText', () => {
  it('takes PostgreSQL’s own timestamptz text', () => {
    expect(isPgTimeText('2026-12-06 02:54:08.123456+00')).toBe(true);
    expect(isPgTimeText('2026-12-06 02:54:08+05:30')).toBe(true);
  });
  it.each([
    '2026-02-30 00:00:00+00',
    '2026-12-06T02:54:08Z',
    '2026-12-06 25:00:00+00',
    'infinity',
    1,
    null,
    '0000-01-01 00:00:00+00',
  ])('refuses %s', (t) => expect(isPgTimeText(t)).toBe(false));
});

describe('cursor parts', () => {
  it('round-trips and checks the length', () => {
    expect(cursorParts(encodeCursor(['a', 1]), 2)).toEqual(['a', 1]);
    expect(cursorParts(encodeCursor(['a', 1]), 3)).toBeNull();
    expect(cursorParts('not base64 json', 2)).toBeNull();
  });
  it('refuses text PostgreSQL cannot take and ids beyond a bigint', () => {
    expect(isCursorText('a\u0000b')).toBe(false);
    expect(isCursorText('\ud800')).toBe(false);
    expect(isCursorText('x'.repeat(501))).toBe(false);
    expect(isCursorText('Nordgrid Energi')).toBe(true);
    expect(isCursorId(1e308)).toBe(false);
    expect(isCursorId(-1)).toBe(false);
    expect(isCursorId(1.5)).toBe(false);
    expect(isCursorId(42)).toBe(true);
  });
});
