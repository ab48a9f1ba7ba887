import { describe, expect, it } from 'vitest';
import { bucketize, conditionStart, LEAD_MS, seriesWindow, TRAIL_MS } from './alarm-series.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 11, 7, 12, 0); // a 15-minute (and 1-hour) boundary
const iso = (t: number) => new Date(t).toISOString();
const alarm = (o: { first: number; cleared?: number; details?: Record<string, unknown> }) => ({
  firstSeenAt: new Date(o.first),
  clearedAt: o.cleared === undefined ? null : new Date(o.cleared),
  details: o.details ?? {},
});

describe("an alarm's series window", () => {
  it('starts 6 h before the condition began: a silence at its last event, a burst at its first refusal', () => {
    expect(conditionStart(alarm({ first: T, details: { lastEventAt: iso(T - 4 * HOUR) } }))).toBe(T - 4 * HOUR);
    expect(conditionStart(alarm({ first: T, details: { firstAt: iso(T - 10 * MIN) } }))).toBe(T - 10 * MIN);
    expect(conditionStart(alarm({ first: T, details: { since: iso(T - 30 * MIN) } }))).toBe(T - 30 * MIN);
    // Details that are no instant, or later than the raise, leave the raise.
    expect(conditionStart(alarm({ first: T, details: { lastEventAt: 'soon', since: iso(T + HOUR) } }))).toBe(T);
    const w = seriesWindow(alarm({ first: T, details: { lastEventAt: iso(T - 4 * HOUR) } }), {}, T + HOUR);
    expect(w).toEqual({ from: new Date(T - 4 * HOUR - LEAD_MS), to: new Date(T + HOUR), bucketMinutes: 5 });
  });

  it('ends an hour after the clear (never after now), and keeps the beginning of a long alarm', () => {
    const cleared = seriesWindow(alarm({ first: T, cleared: T + 2 * HOUR }), {}, T + 30 * HOUR);
    expect(cleared.to).toEqual(new Date(T + 2 * HOUR + TRAIL_MS));
    expect(seriesWindow(alarm({ first: T, cleared: T + 2 * HOUR }), {}, T + 2 * HOUR + MIN).to).toEqual(
      new Date(T + 2 * HOUR + 5 * MIN), // now, up to its bucket's end
    );
    const long = seriesWindow(alarm({ first: T }), {}, T + 30 * 24 * HOUR);
    expect(long.from).toEqual(new Date(T - LEAD_MS));
    expect(long.to.getTime() - long.from.getTime()).toBe(7 * 24 * HOUR);
    expect(long.bucketMinutes).toBe(60); // the smallest giving at most 200 buckets: 168 of an hour
  });

  it('aligns a given window outwards on its bucket, and picks the bucket from the span', () => {
    const w = seriesWindow(alarm({ first: T }), { from: iso(T + 7 * MIN), to: iso(T + 61 * MIN) }, T + 2 * HOUR);
    expect(w).toEqual({ from: new Date(T + 5 * MIN), to: new Date(T + 65 * MIN), bucketMinutes: 5 });
    const day = seriesWindow(alarm({ first: T }), { from: iso(T), to: iso(T + 36 * HOUR) }, T);
    expect(day.bucketMinutes).toBe(15);
  });
});

describe('bucketize', () => {
  it('lists every bucket, counts refusals apart, and adds bytes only for a SIM', () => {
    const w = { from: new Date(T), to: new Date(T + 30 * MIN), bucketMinutes: 15 };
    const rows = [
      { at: new Date(T), type: 'attach', events: 2, bytes: null },
      { at: new Date(T), type: 'session_update', events: 1, bytes: 700 },
      { at: new Date(T + 15 * MIN), type: 'attach_rejected', events: 3, bytes: null },
      { at: new Date(T + 45 * MIN), type: 'attach', events: 9, bytes: null }, // outside: ignored
    ];
    expect(bucketize(rows, w, true)).toEqual([
      { at: iso(T), accepted: 3, refused: 0, byType: { attach: 2, session_update: 1 }, bytes: 700 },
      { at: iso(T + 15 * MIN), accepted: 0, refused: 3, byType: { attach_rejected: 3 }, bytes: 0 },
    ]);
    expect(bucketize(rows, w, false).map((b) => b.bytes)).toEqual([null, null]);
  });
});
