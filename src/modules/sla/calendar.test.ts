import { describe, expect, it } from 'vitest';
import { businessMinutesBetween } from './business-time.ts';
import { type CalendarDefinitionInput, compileCalendar, parseCalendarDefinition } from './calendar.ts';

const base: CalendarDefinitionInput = {
  name: 'Office',
  timeZone: 'Europe/Stockholm',
  weeklyHours: { mon: [['08:00', '17:00']] },
};

function rejection(input: unknown): Array<{ field?: string; reason: string }> {
  try {
    parseCalendarDefinition(input);
  } catch (e) {
    expect(e).toMatchObject({ code: 'sla.calendar_invalid', kind: 'invalid' });
    return (e as { details: Array<{ field?: string; reason: string }> }).details;
  }
  throw new Error('expected a rejection');
}

describe('calendar definitions', () => {
  it('accepts a valid definition with 24:00 as an end and defaults missing days to closed', () => {
    const def = parseCalendarDefinition({
      ...base,
      weeklyHours: { mon: [['08:00', '12:00']], sat: [['20:00', '24:00']] },
    });
    expect(def.weeklyHours.tue).toEqual([]);
    expect(compileCalendar(def).weekly[6]).toEqual([[1200, 1440]]);
  });

  it('names the overlapping interval', () => {
    const details = rejection({
      ...base,
      weeklyHours: {
        mon: [
          ['08:00', '12:00'],
          ['11:00', '17:00'],
        ],
      },
    });
    expect(details).toEqual([{ field: 'weeklyHours.mon[1]', reason: 'overlaps 08:00–12:00' }]);
  });

  it('rejects start not before end and malformed times', () => {
    expect(rejection({ ...base, weeklyHours: { tue: [['17:00', '08:00']] } })).toEqual([
      { field: 'weeklyHours.tue[0]', reason: 'start 17:00 is not before end 08:00' },
    ]);
    expect(rejection({ ...base, weeklyHours: { mon: [['8:00', '24:30']] } }).map((d) => d.field)).toEqual([
      'weeklyHours.mon[0][0]',
      'weeklyHours.mon[0][1]',
    ]);
  });

  it('rejects a calendar that is never open', () => {
    expect(rejection({ ...base, weeklyHours: {} })).toEqual([
      { field: 'weeklyHours', reason: 'at least one opening interval is needed' },
    ]);
  });

  it('rejects an unknown time zone', () => {
    expect(rejection({ ...base, timeZone: 'Europe/Atlantis' })).toEqual([
      { field: 'timeZone', reason: 'unknown time zone' },
    ]);
  });

  it('rejects unknown holiday countries, states and regions', () => {
    expect(rejection({ ...base, holidays: { country: 'XX' } })).toEqual([
      { field: 'holidays.country', reason: 'unknown holiday country XX' },
    ]);
    expect(rejection({ ...base, holidays: { country: 'US', state: 'ZZ' } })).toEqual([
      { field: 'holidays.state', reason: 'unknown holiday state ZZ in US' },
    ]);
    expect(rejection({ ...base, holidays: { country: 'DE', state: 'BY', region: 'NOPE' } })).toEqual([
      { field: 'holidays.region', reason: 'unknown holiday region NOPE in DE-BY' },
    ]);
  });

  it('rejects malformed closed dates', () => {
    expect(rejection({ ...base, closedDates: ['2026-13-01'] })[0]?.field).toBe('closedDates[0]');
    // Date.parse rolls 30 February into March; year 0000 does not exist for PostgreSQL.
    expect(rejection({ ...base, closedDates: ['2026-02-30'] })).not.toEqual([]);
    expect(rejection({ ...base, closedDates: ['0000-01-01'] })).not.toEqual([]);
    expect(rejection({ ...base, closedDates: Array.from({ length: 1001 }, () => '2026-06-08') })).not.toEqual([]);
  });

  it('closes custom dates and state holidays', () => {
    const c = compileCalendar(
      parseCalendarDefinition({
        name: 'Munich',
        timeZone: 'Europe/Berlin',
        weeklyHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], thu: [['09:00', '17:00']] },
        holidays: { country: 'DE', state: 'BY' },
        closedDates: ['2026-06-08'],
      }),
    );
    // Epiphany (6 Jan) is a public holiday in Bavaria only; Corpus Christi 2026-06-04 is a Thursday.
    expect(c.isClosed('2026-01-06')).toBe(true);
    expect(c.isClosed('2026-06-04')).toBe(true);
    expect(c.isClosed('2026-06-08')).toBe(true);
    expect(c.isClosed('2026-06-09')).toBe(false);
    // Mon 8 Jun (custom) closed, Tue 9 Jun open 8 h.
    expect(businessMinutesBetween(c, new Date('2026-06-08T00:00:00Z'), new Date('2026-06-10T00:00:00Z'))).toBe(480);
  });
});
