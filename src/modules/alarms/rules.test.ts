import { describe, expect, it } from 'vitest';
import {
  hourOfWeek,
  inSchedule,
  inScope,
  nextInSchedule,
  ruleFor,
  type SimProfile,
  silenceThreshold,
  weeklyRhythm,
} from './rules.ts';

const H = 3_600_000;
const D = 24 * H;
/** Monday 2026-11-02 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 2);
const sim: SimProfile = {
  accountId: 7,
  communicationPlanId: 3,
  ratePlanId: 4,
  apn: 'iot.example',
  plmn: '26201',
  deviceModelId: 9,
};
const params = { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 };

describe('rule scope', () => {
  it('takes a SIM in when every field set holds its value, APNs case-insensitively', () => {
    expect(inScope({}, sim)).toBe(true);
    expect(inScope({ accountIds: [7, 8], apns: ['IOT.example'] }, sim)).toBe(true);
    expect(inScope({ accountIds: [8] }, sim)).toBe(false);
    expect(inScope({ plmns: ['20801'] }, sim)).toBe(false);
    expect(inScope({ deviceModelIds: [9] }, { ...sim, deviceModelId: null })).toBe(false);
    expect(inScope({ accountIds: [] }, sim)).toBe(true);
  });

  it('picks the most specific rule, then the older', () => {
    const rules = [
      { id: 5, scope: {} },
      { id: 3, scope: { accountIds: [7] } },
      { id: 2, scope: { plmns: ['26201'] } },
      { id: 4, scope: { accountIds: [7], apns: ['other'] } },
    ];
    expect(ruleFor(rules, sim)?.id).toBe(2);
    expect(ruleFor(rules, { ...sim, plmn: null, accountId: 1 })?.id).toBe(5);
    expect(ruleFor([{ id: 1, scope: { accountIds: [1] } }], sim)).toBeUndefined();
  });
});

describe('weekly rhythm', () => {
  it('is Monday 00:00 UTC at hour 0', () => {
    expect(hourOfWeek(MONDAY)).toBe(0);
    expect(hourOfWeek(MONDAY + 6 * D + 23 * H)).toBe(167);
  });

  it("respects a tracker's working day and weekend", () => {
    // Four weeks of Monday–Friday, active every hour 08:00–17:00.
    const hours: number[] = [];
    for (let w = 0; w < 4; w++)
      for (let d = 0; d < 5; d++) for (let h = 8; h <= 17; h++) hours.push(MONDAY + w * 7 * D + d * D + h * H);
    const r = weeklyRhythm(hours);
    const tuesdayNoon = MONDAY + 4 * 7 * D + D + 12 * H + 20 * 60_000;
    const fridayEvening = MONDAY + 4 * 7 * D + 4 * D + 17 * H + 45 * 60_000;
    const tuesdayEvening = MONDAY + 4 * 7 * D + D + 17 * H + 10 * 60_000;
    expect(silenceThreshold(params, r, tuesdayNoon)).toBe(1.5 * H + 30 * 60_000);
    // Friday 17:00 to Monday 08:00 is 63 hours.
    expect(silenceThreshold(params, r, fridayEvening)).toBe(1.5 * 63 * H + 30 * 60_000);
    expect(silenceThreshold(params, r, tuesdayEvening)).toBe(1.5 * 15 * H + 30 * 60_000);
  });

  it("fires a daily meter's silence after its first missed upload, before its second", () => {
    const hours = Array.from({ length: 28 }, (_, i) => MONDAY + i * D + 2 * H);
    const r = weeklyRhythm(hours);
    const t = silenceThreshold(params, r, MONDAY + 28 * D + 2 * H + 5 * 60_000);
    expect(t).toBeGreaterThan(D);
    expect(t).toBeLessThan(2 * D);
  });

  it('falls back to the hour of the day, then to all intervals, then to the no-rhythm time', () => {
    // Only one week: every hour of the week has a single interval; the hours of the day have seven.
    const hours = Array.from({ length: 7 }, (_, i) => MONDAY + i * D + 6 * H);
    const r = weeklyRhythm(hours);
    expect(r.byHourOfWeek.every((x) => x === null)).toBe(true);
    expect(silenceThreshold(params, r, MONDAY + 7 * D + 6 * H)).toBe(1.5 * D + 30 * 60_000);
    // An hour of the day never seen: all intervals.
    expect(silenceThreshold(params, r, MONDAY + 7 * D + 13 * H)).toBe(1.5 * D + 30 * 60_000);
    expect(silenceThreshold(params, weeklyRhythm([MONDAY, MONDAY + H]), MONDAY + 2 * H)).toBe(D);
    expect(silenceThreshold(params, undefined, MONDAY)).toBe(D);
  });
});

describe('schedules', () => {
  const office = {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
    from: '08:00',
    to: '18:00',
    timeZone: 'Europe/Berlin',
  };
  const s = { ...office, days: [...office.days] };

  it('knows the local time, across daylight saving', () => {
    // Monday 2026-11-02 08:30 in Berlin is 07:30 UTC (CET, +1).
    expect(inSchedule(s, MONDAY + 7 * H + 30 * 60_000)).toBe(true);
    expect(inSchedule(s, MONDAY + 6 * H + 59 * 60_000)).toBe(false);
    // Summer: Monday 2026-07-06 08:30 in Berlin is 06:30 UTC (CEST, +2).
    expect(inSchedule(s, Date.UTC(2026, 6, 6, 6, 30))).toBe(true);
    expect(inSchedule(s, Date.UTC(2026, 6, 6, 16, 0))).toBe(false);
  });

  it('postpones to the next start: Friday night waits for Monday morning', () => {
    const fridayNight = MONDAY + 4 * D + 20 * H;
    expect(nextInSchedule(s, fridayNight)).toBe(MONDAY + 7 * D + 7 * H);
    const inside = MONDAY + 10 * H;
    expect(nextInSchedule(s, inside)).toBe(inside);
    // Into summer time: Friday 2026-03-27 20:00 UTC → Monday 2026-03-30 08:00 CEST = 06:00 UTC.
    expect(nextInSchedule(s, Date.UTC(2026, 2, 27, 20))).toBe(Date.UTC(2026, 2, 30, 6));
  });

  it('runs a night window past midnight', () => {
    const night = { days: ['sat' as const], from: '22:00', to: '06:00', timeZone: 'UTC' };
    const saturday = MONDAY + 5 * D;
    expect(inSchedule(night, saturday + 23 * H)).toBe(true);
    expect(inSchedule(night, saturday + D + 5 * H)).toBe(true);
    expect(inSchedule(night, saturday + D + 22 * H)).toBe(false);
    expect(nextInSchedule(night, saturday + 12 * H)).toBe(saturday + 22 * H);
  });
});
