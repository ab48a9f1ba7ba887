import { describe, expect, it } from 'vitest';
import { replayHistory } from '../cases/case-history.ts';
import { CASE_TYPES, CHANNELS } from '../cases/cases.schemas.ts';
import { workingDaysBetween } from '../sla/business-time.ts';
import { compileCalendar, parseCalendarDefinition } from '../sla/calendar.ts';
import { DEFAULT_BUSINESS_CALENDAR } from '../sla/defaults.ts';
import { DAY_MS } from '../sla/tz.ts';
import { DEMO_CUSTOMERS } from './demo.data.ts';
import { demoHistory, FIELD_HANDLING_DAYS, historyAccountsOf } from './demo.history.ts';

// Fake ids in the demo's order: the generator only carries them through.
const ids = new Map<string, number>();
const accounts = historyAccountsOf(DEMO_CUSTOMERS, (n) => ids.get(n) ?? ids.set(n, ids.size + 1).get(n)!);
const now = new Date('2026-12-07T07:30:00Z'); // a Monday morning, before the desk opens
const history = demoHistory({ now, accounts, assigneeUserId: 7 });
const cal = compileCalendar(parseCalendarDefinition(DEFAULT_BUSINESS_CALENDAR));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const resolvedAt = (h: (typeof history)[number]) => replayHistory(h, now).resolvedAt!;

describe('the demo desk’s history', () => {
  it('covers the last eight weeks with ~30 cases a week of every type, channel and customer', () => {
    expect(history.length).toBeGreaterThanOrEqual(150);
    expect(history.length).toBeLessThanOrEqual(300);
    for (const type of CASE_TYPES) expect(history.filter((h) => h.type === type).length).toBeGreaterThan(15);
    for (const channel of CHANNELS) expect(history.some((h) => h.channel === channel)).toBe(true);
    expect(new Set(history.map((h) => h.accountId)).size).toBeGreaterThanOrEqual(8);
    const weekOf = (h: (typeof history)[number]) => Math.floor((+now - +h.createdAt) / (7 * DAY_MS));
    for (let w = 0; w < 8; w++) expect(history.filter((h) => weekOf(h) === w).length).toBeGreaterThan(12);
    // Every calendar month the window covers for at least three weeks has cases of every type.
    const months = Map.groupBy(history, (h) => h.createdAt.toISOString().slice(0, 7));
    for (const [month, cases] of months) {
      if (cases.length < 60) continue;
      for (const type of CASE_TYPES)
        expect(
          cases.some((h) => h.type === type),
          `${month} ${type}`,
        ).toBe(true);
    }
    // Mondays are the busiest days, weekends only get what monitoring raises.
    const byWeekday = (d: number) => history.filter((h) => h.createdAt.getUTCDay() === d);
    expect(byWeekday(1).length).toBeGreaterThan(byWeekday(5).length);
    for (const h of [...byWeekday(0), ...byWeekday(6)]) expect(h.channel).toBe('monitoring');
  });

  it('is all in the past and ended: resolved, or closed by the verification period', () => {
    for (const h of history) {
      const end = replayHistory(h, now); // throws on a step out of order, in the future or a bad transition
      expect(['resolved', 'closed']).toContain(end.state);
      expect(+h.createdAt).toBeLessThan(+now);
      for (const s of h.steps) expect(+s.at).toBeLessThanOrEqual(+now);
      const last = h.steps.at(-1)!;
      if (end.state === 'closed') expect(last).toMatchObject({ to: 'closed', by: 'system' });
      // Still resolved = resolved within the last verification period (three working days).
      else expect(workingDaysBetween(cal, end.resolvedAt!, now)).toBeLessThanOrEqual(3);
      expect(h.steps.some((s) => 'kind' in s && s.visibility === 'public' && s.by === 'staff')).toBe(true);
    }
    // Most closed; the rest resolved in the last three working days, waiting for their verification period.
    const closed = history.filter((h) => replayHistory(h, now).state === 'closed');
    expect(closed.length).toBeGreaterThan(history.length * 0.75);
  });

  it('takes working days around the field’s handling times, faster in the recent weeks', () => {
    for (const type of CASE_TYPES) {
      const days = history
        .filter((h) => h.type === type)
        .map((h) => workingDaysBetween(cal, h.createdAt, resolvedAt(h)));
      const m = mean(days);
      expect(m, type).toBeGreaterThan(FIELD_HANDLING_DAYS[type] * 0.6);
      expect(m, type).toBeLessThan(FIELD_HANDLING_DAYS[type] * 1.25);
    }
    const handled = (from: number, to: number) =>
      mean(
        history
          .filter((h) => +now - +h.createdAt >= from * DAY_MS && +now - +h.createdAt < to * DAY_MS)
          .map((h) => workingDaysBetween(cal, h.createdAt, resolvedAt(h)) / FIELD_HANDLING_DAYS[h.type]),
      );
    expect(handled(42, 56)).toBeGreaterThan(handled(14, 28));
  });

  it('is deterministic: the same morning and seed give the same history, another seed another', () => {
    expect(JSON.stringify(demoHistory({ now, accounts, assigneeUserId: 7 }))).toBe(JSON.stringify(history));
    expect(JSON.stringify(demoHistory({ now, accounts, seed: 5 }))).not.toBe(JSON.stringify(history));
  });
});
