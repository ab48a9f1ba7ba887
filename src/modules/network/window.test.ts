import { describe, expect, it } from 'vitest';
import { describeCause, EMM_CAUSES, ESM_CAUSES } from './causes.ts';
import { decodeCursor, encodeCursor, networkOf, parseWindow } from './window.ts';

const now = Date.parse('2026-11-21T12:00:00Z');
const opts = { retentionDays: 7, now };

describe('parseWindow', () => {
  it('defaults to the last 24 h, or 24 h before `to`', () => {
    expect(parseWindow({}, opts)).toEqual({ from: new Date('2026-11-20T12:00:00Z'), to: new Date(now) });
    expect(parseWindow({ to: '2026-11-21T00:00:00Z' }, opts).from).toEqual(new Date('2026-11-20T00:00:00Z'));
  });
  it('refuses from after to (naming both) and a window longer than the retention (naming the limit)', () => {
    expect(() => parseWindow({ from: '2026-11-21T01:00:00Z', to: '2026-11-21T00:00:00Z' }, opts)).toThrow(
      expect.objectContaining({
        details: [expect.objectContaining({ field: 'from' }), expect.objectContaining({ field: 'to' })],
      }),
    );
    expect(() => parseWindow({ from: '2026-11-01T00:00:00Z' }, opts)).toThrow(
      expect.objectContaining({
        details: [expect.objectContaining({ reason: 'window longer than NETWORK_EVENT_RETENTION_DAYS (7 days)' })],
      }),
    );
    expect(parseWindow({ from: '2026-11-14T12:00:00Z' }, opts).from).toEqual(new Date('2026-11-14T12:00:00Z'));
  });
});

describe('cursors', () => {
  it('round-trip, and refuse another list, a forged key or junk, naming the cursor', () => {
    const c = encodeCursor('events', '2026-11-21 11:00:00.123456+00', '(3,7)');
    expect(decodeCursor(c, 'events', 'tid')).toEqual({ key: '2026-11-21 11:00:00.123456+00', tiebreak: '(3,7)' });
    const wrong = [
      c,
      encodeCursor('events', "1' or 1=1", '(3,7)'),
      encodeCursor('events', '2026-11-21 11:00:00+00', 'x'),
      '%%',
    ];
    expect(() => decodeCursor(wrong[0]!, 'sessions', 'text')).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field: 'cursor' })] }),
    );
    for (const w of wrong.slice(1)) expect(() => decodeCursor(w, 'events', 'tid')).toThrow();
  });
});

describe('PLMN and causes', () => {
  it('splits the MCC (3 digits) from the MNC (the rest, leading zero kept)', () => {
    expect(networkOf('24007')).toEqual({ mcc: '240', mnc: '07' });
    expect(networkOf('310410')).toEqual({ mcc: '310', mnc: '410' });
    expect(networkOf(null)).toBeNull();
  });
  it('reads a cause with the table of the event that carried it', () => {
    expect([...EMM_CAUSES.keys()]).toEqual([2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 22, 25, 35, 40, 42]);
    expect([...ESM_CAUSES.keys()]).toEqual([
      8, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 38, 50, 51, 52, 54, 55, 65, 66,
    ]);
    expect(describeCause('attach_rejected', 8).name).toBe('EPS and non-EPS services not allowed');
    expect(describeCause('session_rejected', 8).name).toBe('Operator determined barring');
    expect(describeCause('session_rejected', 99).meaning).toContain('not in');
  });
});
