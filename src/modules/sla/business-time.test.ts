/**
 * The engine against hand-computed figures and against an independent brute-force reference:
 * every minute of the test window is formatted with Intl (sv-SE wall-clock strings, not the
 * engine's offset arithmetic) and marked open/closed; prefix sums then answer any interval.
 * Holiday dates in the reference come from cal.isClosed (date-holidays data is not what is
 * under test there); the hand-computed cases pin the holiday dates independently.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../platform/random.ts';
import {
  addBusinessMinutes,
  addWorkingDays,
  businessMinutesBetween,
  businessMsBetween,
  workingDaysBetween,
} from './business-time.ts';
import {
  CALENDAR_24X7,
  type Calendar,
  type CalendarDefinitionInput,
  compileCalendar,
  parseCalendarDefinition,
} from './calendar.ts';
import { referencePrefix } from './reference.testkit.ts';
import { MINUTE_MS } from './tz.ts';

const cal = (def: CalendarDefinitionInput): Calendar => compileCalendar(parseCalendarDefinition(def));
const office = (
  timeZone: string,
  start: string,
  end: string,
  holidays?: CalendarDefinitionInput['holidays'],
): CalendarDefinitionInput => {
  const day: Array<[string, string]> = [[start, end]];
  return {
    name: `${timeZone} office`,
    timeZone,
    weeklyHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
    holidays,
  };
};
// Sunday windows straddle the 02:00–03:00 DST hour on purpose; DST changes fall on Sundays.
const odd = (timeZone: string): CalendarDefinitionInput => ({
  name: `${timeZone} odd`,
  timeZone,
  weeklyHours: {
    sun: [
      ['00:00', '00:30'],
      ['01:00', '02:20'],
      ['02:40', '05:00'],
      ['12:00', '24:00'],
    ],
    mon: [
      ['08:00', '12:00'],
      ['13:00', '17:00'],
    ],
    wed: [['22:00', '24:00']],
    thu: [['00:00', '06:00']],
    sat: [['02:15', '02:45']],
  },
});

const STO = cal(office('Europe/Stockholm', '08:00', '17:00', { country: 'SE', closedTypes: ['public', 'bank'] }));
const NYC = cal(office('America/New_York', '09:00', '18:00', { country: 'US' }));
const MOW = cal(office('Europe/Moscow', '09:00', '18:00', { country: 'RU' }));
const at = (iso: string) => new Date(iso);
const mins = (c: Calendar, a: string, b: string) => businessMinutesBetween(c, at(a), at(b));

describe('hand-computed business time', () => {
  it('skips Swedish midsummer eve (bank holiday, configured closed) and the weekend', () => {
    expect(STO.isClosed('2026-06-19')).toBe(true);
    // Thu 18 Jun 16:00 CEST → Mon 22 Jun 09:00 CEST: 1 h Thursday + 1 h Monday.
    expect(mins(STO, '2026-06-18T14:00:00Z', '2026-06-22T07:00:00Z')).toBe(120);
  });

  it('skips US Thanksgiving', () => {
    expect(NYC.isClosed('2026-11-26')).toBe(true);
    // Wed 25 Nov 17:00 EST → Fri 27 Nov 10:00 EST.
    expect(mins(NYC, '2026-11-25T22:00:00Z', '2026-11-27T15:00:00Z')).toBe(120);
  });

  it('finds nine working days in Stockholm across Easter and the spring DST change', () => {
    // Mon 23 Mar 08:00 CET; 9 × 9 h ends Thu 2 Apr 17:00 CEST (Good Friday and Easter Monday closed).
    const start = at('2026-03-23T07:00:00Z');
    expect(addBusinessMinutes(STO, start, 9 * 9 * 60).toISOString()).toBe('2026-04-02T15:00:00.000Z');
    expect(addBusinessMinutes(STO, start, 9 * 9 * 60 + 1).toISOString()).toBe('2026-04-07T06:01:00.000Z');
  });

  it('counts the nonexistent hour as nothing and the repeated hour twice (Stockholm and New York)', () => {
    // Stockholm repeats 02:00–03:00: 30 + (01:00–02:20, 02:00–02:20 twice) 100 + (02:40–05:00, 02:40–03:00
    // twice) 160 + 720. New York repeats 01:00–02:00: 30 + (01:00–02:00 twice) 140 + 140 + 720.
    for (const [zone, spring, fall, repeated] of [
      [
        'Europe/Stockholm',
        ['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z'],
        ['2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'],
        1010,
      ],
      [
        'America/New_York',
        ['2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'],
        ['2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'],
        1030,
      ],
    ] as const) {
      const c = cal(odd(zone));
      // 30 + (01:00–02:00) 60 + (03:00–05:00) 120 + 720
      expect(mins(c, spring[0], spring[1])).toBe(930);
      expect(mins(c, fall[0], fall[1])).toBe(repeated);
    }
  });

  it('handles Moscow (no DST) with its holidays', () => {
    expect(MOW.isClosed('2026-03-09')).toBe(true);
    // Fri 6 Mar 17:00 MSK + 2 h: 1 h Friday, Monday closed, Tue 10 Mar 10:00 MSK.
    expect(addBusinessMinutes(MOW, at('2026-03-06T14:00:00Z'), 120).toISOString()).toBe('2026-03-10T07:00:00.000Z');
  });

  it('24×7: business time is wall time', () => {
    expect(businessMsBetween(CALENDAR_24X7, at('2026-03-29T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(86_400_000);
    expect(addBusinessMinutes(CALENDAR_24X7, at('2026-10-25T00:00:00Z'), 240).toISOString()).toBe(
      '2026-10-25T04:00:00.000Z',
    );
  });

  it('is fast: a nine-working-day due time takes well under a millisecond once warm', () => {
    const c = cal(office('Europe/Stockholm', '08:00', '17:00', { country: 'SE' }));
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) addBusinessMinutes(c, at('2026-03-23T07:00:00Z'), 9 * 9 * 60 + (i % 60));
    expect((performance.now() - t0) / 1000).toBeLessThan(1);
  });
});

const WINDOW_FROM = Date.parse('2026-02-20T00:00:00Z');
const WINDOW_TO = Date.parse('2026-12-05T00:00:00Z');
const N = (WINDOW_TO - WINDOW_FROM) / MINUTE_MS;

describe.each([
  ['Stockholm office', () => STO],
  ['Stockholm odd hours', () => cal(odd('Europe/Stockholm'))],
  ['New York office', () => NYC],
  ['New York odd hours', () => cal(odd('America/New_York'))],
  ['Moscow office', () => MOW],
  ['Moscow odd hours', () => cal(odd('Europe/Moscow'))],
  // Edge zones: DST at midnight (Santiago) and a 30-minute DST shift (Lord Howe).
  ['Santiago odd hours', () => cal(odd('America/Santiago'))],
  ['Lord Howe odd hours', () => cal(odd('Australia/Lord_Howe'))],
])('random intervals vs the minute-by-minute reference: %s', (_name, make) => {
  const c = make();
  const prefix = referencePrefix(c, WINDOW_FROM, WINDOW_TO);
  const ref = (i: number, j: number) => (prefix[j] ?? 0) - (prefix[i] ?? 0);
  const rnd = mulberry32(20260329);
  const pick = (max: number) => Math.floor(rnd() * max);

  it('business minutes between 400 random instants agree', () => {
    for (let k = 0; k < 400; k++) {
      const i = pick(N - 1);
      const j = Math.min(N, i + pick(k % 4 === 0 ? N - i : 20 * 1440));
      expect(
        mins(
          c,
          new Date(WINDOW_FROM + i * MINUTE_MS).toISOString(),
          new Date(WINDOW_FROM + j * MINUTE_MS).toISOString(),
        ),
        `${i}..${j}`,
      ).toBe(ref(i, j));
    }
  });

  it('due instants for 400 random targets agree', () => {
    for (let k = 0; k < 400; k++) {
      const i = pick(N - 40 * 1440);
      const target = pick(k % 3 === 0 ? 6000 : 600);
      // Reference: the end of the minute in which the target-th open minute completes.
      let j = i;
      while (ref(i, j) < target) j++;
      expect(addBusinessMinutes(c, WINDOW_FROM + i * MINUTE_MS, target).getTime(), `${i}+${target}`).toBe(
        WINDOW_FROM + j * MINUTE_MS,
      );
    }
  });
});

describe('working days (verification period)', () => {
  it('ends at closing time of the n-th open day after the resolution day, skipping holidays', () => {
    // Resolved Wed 17 Jun 15:00 CEST; Thu 18, (Fri 19 midsummer eve closed), Mon 22, Tue 23 → Tue 17:00 CEST.
    expect(addWorkingDays(STO, at('2026-06-17T13:00:00Z'), 3).toISOString()).toBe('2026-06-23T15:00:00.000Z');
    // Resolved on a Saturday: Mon, Tue, Wed.
    expect(addWorkingDays(NYC, at('2026-11-21T15:00:00Z'), 3).toISOString()).toBe('2026-11-25T23:00:00.000Z');
    expect(addWorkingDays(CALENDAR_24X7, at('2026-03-28T12:00:00Z'), 3).toISOString()).toBe('2026-03-31T12:00:00.000Z');
  });
});

describe('workingDaysBetween', () => {
  it('counts each open local day by the share of its open time spent, across a DST change', () => {
    const cal = compileCalendar(
      parseCalendarDefinition({
        name: 'sto',
        timeZone: 'Europe/Stockholm',
        weeklyHours: { fri: [['08:00', '17:00']], mon: [['08:00', '12:00']] },
      }),
    );
    // Fri 2026-03-27 12:30 CET (11:30Z) → Mon 03-30 10:00 CEST (08:00Z), clocks sprang forward on Sunday:
    // half of Friday's 9 h, then half of Monday's 4 h.
    expect(workingDaysBetween(cal, Date.parse('2026-03-27T11:30:00Z'), Date.parse('2026-03-30T08:00:00Z'))).toBe(1);
    expect(workingDaysBetween(cal, 5, 5)).toBe(0);
  });
});
